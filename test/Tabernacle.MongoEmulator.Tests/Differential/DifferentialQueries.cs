namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>One LINQ query, written once, run against both the driver's IQueryable and LINQ to Objects.</summary>
/// <param name="Name">Unique name, used as the theory's data.</param>
/// <param name="Ordered">Whether the result order is defined by the query (otherwise results compare as multisets).</param>
/// <param name="Run">The query over (customers, orders); a returned IQueryable is materialised, anything else is the scalar result.</param>
public sealed record DifferentialQuery(string Name, bool Ordered, Func<IQueryable<Customer>, IQueryable<Order>, object?> Run);

/// <summary>
/// The differential queries. Written so that LINQ to Objects does not throw where MongoDB yields null or false:
/// nested and array members are guarded (<c>x.Address != null &amp;&amp; ...</c>, <c>x.Tags.Count &gt; 0 &amp;&amp; x.Tags[0]</c>),
/// since a null reference in .NET is an exception while in MongoDB a missing path is just null. Every ordered query
/// ends in a unique key (Id) so MongoDB's unspecified order of ties cannot make a false difference.
/// </summary>
public static class DifferentialQueries
{
    private static readonly DateTime Jan2022 = new(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime Jun2023 = new(2023, 6, 15, 12, 30, 0, 250, DateTimeKind.Utc);

    private static readonly string[] SomeCities = ["Paris", "Rome", "Zürich"];

    public static IReadOnlyList<DifferentialQuery> All { get; } = Build();

    public static DifferentialQuery Get(string name) => All.Single(q => q.Name == name);

    private static List<DifferentialQuery> Build()
    {
        var q = new List<DifferentialQuery>();

        void Set(string name, Func<IQueryable<Customer>, IQueryable<Order>, object?> run) => q.Add(new(name, false, run));

        void Seq(string name, Func<IQueryable<Customer>, IQueryable<Order>, object?> run) => q.Add(new(name, true, run));

        // ---- Where: strings (ordinal, case-sensitive, null) ----
        Set("where_string_equals", (c, _) => c.Where(x => x.Name == "alice"));
        Set("where_string_not_equals_includes_null", (c, _) => c.Where(x => x.Name != "Bob"));
        Set("where_string_is_null", (c, _) => c.Where(x => x.Name == null));
        Set("where_string_empty_or_null", (c, _) => c.Where(x => string.IsNullOrEmpty(x.Name)));
        Set("where_string_starts_with", (c, _) => c.Where(x => x.Name != null && x.Name.StartsWith("A")));
        Set("where_string_contains", (c, _) => c.Where(x => x.Name != null && x.Name.Contains("li")));
        Set("where_string_ends_with", (c, _) => c.Where(x => x.Name != null && x.Name.EndsWith("e")));
        Set("where_string_to_lower_equals", (c, _) => c.Where(x => x.Name != null && x.Name.ToLower() == "alice"));
        Set("where_string_length", (c, _) => c.Where(x => x.Name != null && x.Name.Length > 5));
        Set("where_string_in_list", (c, _) => c.Where(x => SomeCities.Contains(x.City)));
        Set("where_string_compare_greater", (c, _) => c.Where(x => string.Compare(x.City, "Madrid") > 0));

        // ---- Where: numbers, enums, booleans ----
        Set("where_int_range", (c, _) => c.Where(x => x.Age >= 30 && x.Age < 40));
        Set("where_long_greater", (c, _) => c.Where(x => x.Points > 1_000_000L));
        Set("where_double_or", (c, _) => c.Where(x => x.Rating > 8.5 || x.Rating < 0));
        Set("where_double_equals", (c, _) => c.Where(x => x.Rating == 2.5));
        Set("where_decimal_greater_or_equal", (c, _) => c.Where(x => x.Balance >= 1000.50m));
        Set("where_decimal_negative_and_bool", (c, _) => c.Where(x => x.Balance < 0m && x.Active));
        Set("where_int_modulo", (c, _) => c.Where(x => x.Age % 7 == 0));
        Set("where_not_greater", (c, _) => c.Where(x => !(x.Age > 30)));
        Set("where_computed_sum_of_fields", (c, _) => c.Where(x => x.Points + x.Age > 5000));
        Set("where_enum_equals", (c, _) => c.Where(x => x.Tier == Tier.Gold));
        Set("where_enum_greater_or_equal", (c, _) => c.Where(x => x.Tier >= Tier.Gold));
        Set("where_bool_false", (c, _) => c.Where(x => !x.Active));

        // ---- Where: nullable values ----
        Set("where_nullable_is_null", (c, _) => c.Where(x => x.Score == null));
        Set("where_nullable_greater", (c, _) => c.Where(x => x.Score > 50));
        Set("where_nullable_has_value_and_less", (c, _) => c.Where(x => x.Score.HasValue && x.Score.Value < 10));
        Set("where_nullable_not_equals_includes_null", (c, _) => c.Where(x => x.Score != 42));

        // ---- Where: dates ----
        Set("where_date_after", (c, _) => c.Where(x => x.JoinedAt >= Jan2022));
        Set("where_date_between_on_orders", (_, o) => o.Where(y => y.PlacedAt > Jan2022 && y.PlacedAt < Jun2023));
        Set("where_date_year", (c, _) => c.Where(x => x.JoinedAt.Year == 2021));
        Set("where_date_month_or_day_of_week", (c, _) => c.Where(x => x.JoinedAt.Month == 12 || x.JoinedAt.DayOfWeek == DayOfWeek.Sunday));

        // ---- Where: nested document ----
        Set("where_nested_is_null", (c, _) => c.Where(x => x.Address == null));
        Set("where_nested_string", (c, _) => c.Where(x => x.Address != null && x.Address.City == "Paris"));
        Set("where_nested_null_member", (c, _) => c.Where(x => x.Address != null && x.Address.City == null));
        Set("where_nested_int", (c, _) => c.Where(x => x.Address != null && x.Address.Zip > 50000));
        Set("where_doubly_nested", (c, _) => c.Where(x => x.Address != null && x.Address.Geo != null && x.Address.Geo.Lat > 0));

        // ---- Where: arrays ----
        Set("where_array_contains", (c, _) => c.Where(x => x.Tags.Contains("vip")));
        Set("where_array_contains_both", (c, _) => c.Where(x => x.Tags.Contains("vip") && x.Tags.Contains("eu")));
        Set("where_array_empty", (c, _) => c.Where(x => x.Tags.Count == 0));
        Set("where_array_any", (c, _) => c.Where(x => x.Tags.Any()));
        Set("where_array_count_greater", (c, _) => c.Where(x => x.Tags.Count > 2));
        Set("where_array_any_predicate", (c, _) => c.Where(x => x.Tags.Any(t => t.StartsWith("b"))));
        Set("where_array_first_element", (c, _) => c.Where(x => x.Tags.Count > 0 && x.Tags[0] == "vip"));
        Set("where_subdocuments_any", (c, _) => c.Where(x => x.Contacts.Any(k => k.Kind == "email" && k.Verified)));
        Set("where_subdocuments_all", (c, _) => c.Where(x => x.Contacts.All(k => k.Priority > 1)));
        Set("where_subdocuments_count_predicate", (c, _) => c.Where(x => x.Contacts.Count(k => k.Verified) >= 2));

        // ---- OrderBy / ThenBy / Skip / Take ----
        Seq("order_by_nullable_string_then_id", (c, _) => c.OrderBy(x => x.Name).ThenBy(x => x.Id).Select(x => new { x.Id, x.Name }));
        Seq("order_by_descending_nullable_int", (c, _) =>
            c.OrderByDescending(x => x.Score).ThenBy(x => x.Id).Select(x => new { x.Id, x.Score }));
        Seq("order_by_string_then_desc_decimal", (c, _) => c.OrderBy(x => x.City).ThenByDescending(x => x.Balance).ThenBy(x => x.Id));
        Seq("order_by_date", (c, _) => c.OrderBy(x => x.JoinedAt).ThenBy(x => x.Id).Select(x => new { x.Id, x.JoinedAt }));
        Seq("order_by_enum_then_double_desc", (c, _) =>
            c.OrderBy(x => x.Tier).ThenByDescending(x => x.Rating).ThenBy(x => x.Id).Select(x => new { x.Id, x.Tier, x.Rating }));
        Seq("order_by_nested_field", (c, _) =>
            c.Where(x => x.Address != null).OrderBy(x => x.Address!.Zip).ThenBy(x => x.Id).Select(x => new { x.Id, x.Address!.Zip }));
        Seq("order_by_nested_nullable_string", (c, _) =>
            c.Where(x => x.Address != null).OrderByDescending(x => x.Address!.City).ThenBy(x => x.Id).Select(x =>
                new { x.Id, x.Address!.City }));
        Seq("skip_take", (c, _) => c.OrderBy(x => x.Id).Skip(100).Take(15));
        Seq("take_top_by_long", (c, _) =>
            c.OrderByDescending(x => x.Points).ThenBy(x => x.Id).Take(10).Select(x => new { x.Id, x.Points }));
        Seq("where_order_skip_take_select", (c, _) =>
            c.Where(x => x.Active).OrderBy(x => x.Age).ThenBy(x => x.Id).Skip(5).Take(20).Select(x => new { x.Id, x.Age }));
        Seq("skip_past_end", (c, _) => c.OrderBy(x => x.Id).Skip(1000));

        // ---- Select to anonymous types ----
        Set("select_anonymous_with_conditional", (c, _) =>
            c.Select(x => new { x.Id, x.Name, City = x.Address == null ? null : x.Address.City }));
        Set("select_arithmetic_and_lower", (c, _) =>
            c.Select(x => new { x.Id, Twice = x.Balance * 2, Lower = x.City.ToLower(), Next = x.Age + 1 }));
        Set("select_array_count_and_first", (c, _) =>
            c.Select(x => new { x.Id, TagCount = x.Tags.Count, First = x.Tags.FirstOrDefault() }));
        Set("select_filtered_subdocuments", (c, _) =>
            c.Select(x => new { x.Id, Emails = x.Contacts.Where(k => k.Kind == "email").Select(k => k.Value).ToList() }));
        Set("select_date_parts", (c, _) => c.Select(x => new { x.Id, x.JoinedAt.Year, x.JoinedAt.Month, x.JoinedAt.Day, x.JoinedAt.Hour }));
        // Not x.Age / 10: the driver renders integer division as $divide, whose double result (3.7) it then refuses
        // to truncate into an int (TruncationException) against real MongoDB too; a driver gap, not the emulator's.
        Set("select_modulo_and_bool", (c, _) => c.Select(x => new { x.Id, Adult = x.Age >= 18, LastDigit = x.Age % 10 }));
        Set("select_string_concat", (c, _) => c.Select(x => new { x.Id, Label = x.City + "/" + (x.Active ? "on" : "off") }));
        Set("select_many_subdocuments", (c, _) =>
            c.SelectMany(x => x.Contacts).Where(k => k.Priority == 3).Select(k => new { k.Kind, k.Value }));

        // ---- GroupBy with Count / Sum / Average / Min / Max ----
        Set("group_by_string_all_aggregates", (c, _) => c.GroupBy(x => x.City).Select(g => new
        {
            City = g.Key,
            Count = g.Count(),
            Points = g.Sum(x => x.Points),
            AverageAge = g.Average(x => x.Age),
            MinBalance = g.Min(x => x.Balance),
            MaxJoined = g.Max(x => x.JoinedAt),
        }));
        Set("group_by_enum_double_and_decimal", (c, _) =>
            c.GroupBy(x => x.Tier).Select(g =>
                new { Tier = g.Key, AverageRating = g.Average(x => x.Rating), Total = g.Sum(x => x.Balance),
                    MaxRating = g.Max(x => x.Rating) }));
        Set("group_by_bool_nullable_aggregates", (c, _) =>
            c.GroupBy(x => x.Active).Select(g =>
                new { g.Key, AverageScore = g.Average(x => x.Score), MaxScore = g.Max(x => x.Score), MinScore = g.Min(x => x.Score),
                    SumScore = g.Sum(x => x.Score), Nulls = g.Count(x => x.Score == null) }));
        Set("group_by_composite_key", (c, _) =>
            c.GroupBy(x => new { x.City, x.Active }).Select(g => new { g.Key.City, g.Key.Active, Count = g.Count() }));
        Set("group_by_nested_nullable_key", (c, _) =>
            c.Where(x => x.Address != null).GroupBy(x => x.Address!.City).Select(g =>
                new { City = g.Key, Count = g.Count(), MaxZip = g.Max(x => x.Address!.Zip) }));
        Seq("group_by_having_ordered", (c, _) =>
            c.GroupBy(x => x.Name).Where(g => g.Count() > 3).Select(g => new { Name = g.Key, Count = g.Count() }).OrderBy(r => r.Name));
        Set("group_by_string_min_max", (c, _) =>
            c.GroupBy(x => x.Tier).Select(g => new { Tier = g.Key, First = g.Min(x => x.Name), Last = g.Max(x => x.Name) }));
        Set("group_by_orders_decimal_average", (_, o) =>
            o.GroupBy(y => y.CustomerId).Select(g =>
                new { CustomerId = g.Key, Total = g.Sum(y => y.Amount), Average = g.Average(y => y.Amount),
                    FirstPlaced = g.Min(y => y.PlacedAt), MaxQuantity = g.Max(y => y.Quantity) }));
        Set("group_by_status_long_count", (_, o) =>
            o.GroupBy(y => y.Status).Select(g =>
                new { Status = g.Key, Count = g.LongCount(), Quantity = g.Sum(y => y.Quantity),
                    AverageDiscount = g.Average(y => y.Discount) }));

        // ---- Join and GroupJoin ($lookup) ----
        Set("join_customers_orders", (c, o) =>
            c.Join(o, x => x.Id, y => y.CustomerId, (x, y) => new { x.Id, x.Name, OrderId = y.Id, y.Amount }));
        Set("join_orders_customers_drops_dangling", (c, o) =>
            o.Join(c, y => y.CustomerId, x => x.Id, (y, x) => new { y.Id, x.City, y.Status }));
        Set("join_then_where", (c, o) =>
            c.Join(o, x => x.Id, y => y.CustomerId, (x, y) => new { x.Id, x.Tier, y.Status, y.Quantity }).Where(r =>
                r.Tier == Tier.Platinum && r.Status == "paid"));
        Set("group_join_aggregates", (c, o) =>
            c.GroupJoin(o, x => x.Id, y => y.CustomerId, (x, ys) => new { x.Id, Count = ys.Count(), Total = ys.Sum(y => y.Amount) }));
        Set("group_join_any", (c, o) =>
            c.GroupJoin(o, x => x.Id, y => y.CustomerId, (x, ys) => new { x.Id, HasCancelled = ys.Any(y => y.Status == "cancelled") }));

        // ---- Any / All / Distinct ----
        Seq("any_true", (c, _) => c.Any(x => x.Age > 80));
        Seq("any_false", (c, _) => c.Any(x => x.Name == "nobody"));
        Seq("all_true", (c, _) => c.All(x => x.Age >= 16));
        Seq("all_false", (c, _) => c.All(x => x.Active));
        Set("distinct_strings", (c, _) => c.Select(x => x.City).Distinct());
        Set("distinct_nullable_strings", (c, _) => c.Select(x => x.Name).Distinct());
        Set("distinct_anonymous", (c, _) => c.Select(x => new { x.Tier, x.Active }).Distinct());
        Set("distinct_array_elements", (c, _) => c.SelectMany(x => x.Tags).Distinct());
        Seq("distinct_count", (c, _) => c.Where(x => x.Active).Select(x => x.Age).Distinct().Count());

        // ---- First / Single / Count / Sum and other scalars ----
        Seq("first_ordered", (c, _) => c.OrderBy(x => x.JoinedAt).First());
        Seq("first_with_predicate", (c, _) => c.OrderBy(x => x.Id).First(x => x.Name == "Bob"));
        Seq("first_or_default_none", (c, _) => c.FirstOrDefault(x => x.Age > 200));
        Seq("single", (c, _) => c.Single(x => x.Id == 42));
        Seq("single_or_default_none", (c, _) => c.SingleOrDefault(x => x.Id == 9999));
        Seq("count_all", (c, _) => c.Count());
        Seq("count_predicate", (c, _) => c.Count(x => x.Active && x.Tags.Contains("vip")));
        Seq("long_count_predicate", (c, _) => c.LongCount(x => x.Tags.Count == 0));
        Seq("sum_long", (c, _) => c.Sum(x => x.Points));
        Seq("sum_decimal", (c, _) => c.Sum(x => x.Balance));
        Seq("sum_nullable_int", (c, _) => c.Sum(x => x.Score));
        Seq("sum_computed_decimal", (_, o) => o.Where(y => y.Status == "paid").Sum(y => y.Amount * y.Quantity));
        Seq("average_double", (c, _) => c.Average(x => x.Rating));
        Seq("average_nullable", (c, _) => c.Average(x => x.Score));
        Seq("min_date", (c, _) => c.Min(x => x.JoinedAt));
        Seq("max_string", (c, _) => c.Max(x => x.Name));
        // Not Max over an empty sequence: $group emits no document for empty input, so the driver throws where
        // LINQ to Objects returns null for a nullable Max; that is MongoDB's and the driver's behaviour.
        Seq("max_nullable_after_filter", (c, _) => c.Where(x => x.Age > 80).Max(x => x.Score));

        // ---- Harder corners: regex escaping, string functions, math, mixed numeric types, dates, arrays in expressions ----
        Set("where_string_contains_regex_metacharacters", (c, _) =>
            c.Where(x => x.Name != null && (x.Name.Contains("o'b") || x.Name.StartsWith("Ann-") || x.Name.Contains("."))));
        Set("where_string_to_upper_equals", (c, _) => c.Where(x => x.Name != null && x.Name.ToUpper() == "EVE"));
        Set("where_string_is_null_or_whitespace", (c, _) => c.Where(x => string.IsNullOrWhiteSpace(x.Name)));
        Set("where_string_substring", (c, _) => c.Where(x => x.Name != null && x.Name.Length >= 2 && x.Name.Substring(0, 2) == "Al"));
        Set("where_string_index_of", (c, _) => c.Where(x => x.Name != null && x.Name.IndexOf("e") == 2));
        Set("where_string_field_equals_field", (c, _) => c.Where(x => x.Address != null && x.Address.City == x.City));
        Set("where_string_compare_to_lower", (c, _) => c.Where(x => x.City.ToLower() == "new york"));
        Set("where_math_abs_decimal", (c, _) => c.Where(x => Math.Abs(x.Balance) > 15000m));
        Set("where_math_round_half_even", (c, _) => c.Where(x => Math.Round(x.Rating) == 2));
        Set("where_long_modulo_negative", (c, _) => c.Where(x => x.Points % 3 == -1));
        Set("where_long_equals_int_field", (c, _) => c.Where(x => x.Points < x.Age * 10));
        Set("where_decimal_in_list", (c, _) => c.Where(x => x.Age > 60 || new[] { 0m, 100m }.Contains(x.Balance)));
        Set("where_coalesce", (c, _) => c.Where(x => (x.Score ?? -1) < 5));
        Set("where_nullable_arithmetic", (c, _) => c.Where(x => x.Score + 10 > 100));
        Set("where_array_contains_field", (c, _) => c.Where(x => x.Tags.Contains(x.City.ToLower())));
        Set("where_subdocument_any_outer_reference", (c, _) => c.Where(x => x.Contacts.Any(k => k.Priority == x.Age % 3)));
        Set("where_array_contains_case_sensitive", (c, _) => c.Where(x => x.Tags.Contains("VIP") && !x.Tags.Contains("vip")));
        Set("where_subdocuments_any_nested_or", (c, _) =>
            c.Where(x => x.Contacts.Any(k => k.Kind == "fax" || (k.Kind == "Email" && k.Priority >= 2))));
        Set("where_date_day_of_year_and_hour", (c, _) => c.Where(x => x.JoinedAt.DayOfYear < 40 && x.JoinedAt.Hour >= 12));
        Set("select_math_functions", (c, _) =>
            c.Select(x =>
                new { x.Id, Rounded = Math.Round(x.Rating), Floor = Math.Floor(x.Rating), Ceiling = Math.Ceiling(x.Rating),
                    Abs = Math.Abs(x.Points) }));
        Set("select_double_division", (c, _) => c.Select(x => new { x.Id, Ratio = (double)x.Age / 3, Share = x.Rating / 4 }));
        Set("select_coalesce_and_nullable_arithmetic", (c, _) => c.Select(x => new { x.Id, Score = x.Score ?? -1, Plus = x.Score + 1 }));
        Set("select_string_functions", (c, _) =>
            c.Select(x => new { x.Id, Length = x.City.Length, Prefix = x.City.Substring(0, 3), Index = x.City.IndexOf("r") }));
        Set("select_date_components", (c, _) =>
            c.Select(x =>
                new { x.Id, x.JoinedAt.DayOfYear, x.JoinedAt.DayOfWeek, x.JoinedAt.Minute, x.JoinedAt.Second, x.JoinedAt.Millisecond }));
        Set("select_date_add", (c, _) => c.Select(x => new { x.Id, Later = x.JoinedAt.AddDays(10), Earlier = x.JoinedAt.AddHours(-5) }));
        Set("select_array_slices", (c, _) => c.Select(x => new { x.Id, Two = x.Tags.Take(2).ToList(), Rest = x.Tags.Skip(1).ToList() }));
        Set("select_array_sorted", (c, _) => c.Select(x => new { x.Id, Sorted = x.Tags.OrderBy(t => t).ToList() }));
        Set("select_array_aggregates", (c, _) =>
            c.Where(x => x.Contacts.Any()).Select(x =>
                new { x.Id, MaxPriority = x.Contacts.Max(k => k.Priority), Total = x.Contacts.Sum(k => k.Priority),
                    Letters = x.Tags.Sum(t => t.Length) }));
        Set("select_array_where_count", (c, _) =>
            c.Select(x =>
                new { x.Id, Long = x.Tags.Count(t => t.Length > 3), AnyVerified = x.Contacts.Any(k => k.Verified),
                    AllPhones = x.Contacts.All(k => k.Kind == "phone") }));
        Set("select_nested_object", (c, _) =>
            c.Where(x => x.Address != null).Select(x => new { x.Id, x.Address!.Geo, Where = new { x.Address.City, x.Address.Zip } }));
        Set("select_nullable_nested_documents", (c, _) => c.Select(x => x.Address));
        Set("distinct_nested_documents", (c, _) => c.Where(x => x.Address != null).Select(x => x.Address!.Geo).Distinct());
        Seq("order_by_computed_key", (c, _) => c.OrderBy(x => x.Age % 10).ThenBy(x => x.Id).Select(x => new { x.Id, x.Age }));
        Seq("order_by_coalesce", (c, _) => c.OrderBy(x => x.Score ?? 1000).ThenBy(x => x.Id).Select(x => new { x.Id, x.Score }));
        Seq("order_by_bool_then_decimal", (c, _) =>
            c.OrderBy(x => x.Active).ThenBy(x => x.Balance).ThenBy(x => x.Id).Select(x => new { x.Id, x.Active, x.Balance }));
        Seq("take_then_reorder", (c, _) =>
            c.OrderBy(x => x.Id).Take(50).OrderByDescending(x => x.Age).ThenBy(x => x.Id).Select(x => new { x.Id, x.Age }));
        Seq("order_by_string_case_variants", (c, _) =>
            c.Where(x => x.Name != null && x.Name.ToLower().StartsWith("a")).OrderByDescending(x => x.Name).ThenBy(x => x.Id).Select(x =>
                new { x.Id, x.Name }));
        Seq("group_first_last_after_sort", (c, _) =>
            c.OrderBy(x => x.Id).GroupBy(x => x.Tier).Select(g =>
                new { Tier = g.Key, First = g.First().Id, Last = g.Last().Id }).OrderBy(r => r.Tier));
        Set("group_by_date_year", (c, _) =>
            c.GroupBy(x => x.JoinedAt.Year).Select(g =>
                new { Year = g.Key, Count = g.Count(), Rating = g.Sum(x => x.Rating), AverageBalance = g.Average(x => x.Balance) }));
        Set("group_by_distinct_count", (c, _) =>
            c.GroupBy(x => x.City).Select(g =>
                new { City = g.Key, Names = g.Select(x => x.Name).Distinct().Count(),
                    Verified = g.Count(x => x.Contacts.Any(k => k.Verified)) }));
        Set("group_by_nullable_key", (c, _) => c.GroupBy(x => x.Score).Select(g => new { Score = g.Key, Count = g.Count() }));
        Set("group_by_computed_key", (c, _) =>
            c.GroupBy(x => x.Age % 5).Select(g => new { Bucket = g.Key, Count = g.Count(), Youngest = g.Min(x => x.Age) }));
        Set("group_join_filtered_count", (c, o) =>
            c.GroupJoin(o, x => x.Id, y => y.CustomerId, (x, ys) =>
                new { x.Id, Paid = ys.Count(y => y.Status == "paid"), Quantity = ys.Sum(y => y.Quantity) }).Where(r => r.Paid > 0));
        // The inner side is the bare collection: the driver only joins "a MongoDB IQueryable against a collection".
        Set("join_with_where_before", (c, o) =>
            c.Where(x => x.Tier == Tier.Gold).Join(o, x => x.Id, y => y.CustomerId, (x, y) => new { x.Id, y.Amount, y.PlacedAt }).Where(r =>
                r.Amount > 2000m));
        Seq("scalar_sum_double", (c, _) => c.Sum(x => x.Rating));
        Seq("scalar_average_decimal", (_, o) => o.Average(y => y.Amount));
        Seq("scalar_max_decimal", (c, _) => c.Max(x => x.Balance));
        // Filtered first: the driver renders Min(x => x.Score) as {$min: {_v: "$Score"}}, a minimum over documents,
        // and {_v: null} is a document (not a null $min skips) that sorts below {_v: 0}; MongoDB returns null there
        // where LINQ to Objects skips nulls. The emulator agrees with MongoDB, so the difference is not tested.
        Seq("scalar_min_nullable", (c, _) => c.Where(x => x.Score != null).Min(x => x.Score));
        Seq("scalar_sum_of_array_counts", (c, _) => c.Select(x => x.Contacts.Count).Sum());
        Seq("scalar_any_on_array_field", (c, _) => c.Any(x => x.Tags.Contains("b2b") && x.Tags.Count == 1));
        Seq("scalar_count_distinct_nested", (c, _) => c.Where(x => x.Address != null).Select(x => x.Address!.City).Distinct().Count());

        // ---- Code-point string order (supplementary characters), pre-1970 dates, special doubles, decimal scales ----
        Seq("order_by_code_point_strings", (c, _) => c.OrderBy(x => x.Nickname).ThenBy(x => x.Id).Select(x => new { x.Id, x.Nickname }));
        Seq("order_by_code_point_strings_descending", (c, _) =>
            c.OrderByDescending(x => x.Nickname).ThenByDescending(x => x.Id).Select(x => new { x.Id, x.Nickname }));
        // Guarded against null: string.Compare(null, s) < 0 in .NET, but {$lt: s} never matches null in MongoDB
        // (comparison operators only compare within one type bracket).
        Set("where_code_point_greater", (c, _) => c.Where(x => string.Compare(x.Nickname, "\uFF71") > 0));
        Set("where_code_point_less", (c, _) => c.Where(x => x.Nickname != null && string.Compare(x.Nickname, "\U0001F34F") < 0));
        Seq("max_code_point_string", (c, _) => c.Max(x => x.Nickname));
        Set("group_by_code_point_min_max", (c, _) =>
            c.GroupBy(x => x.Active).Select(g => new { g.Key, Min = g.Min(x => x.Nickname), Max = g.Max(x => x.Nickname) }));
        Set("where_date_before_epoch", (c, _) => c.Where(x => x.BirthDate < new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Set("where_date_year_before_epoch", (c, _) => c.Where(x => x.BirthDate.Year == 1955 || x.BirthDate.Year == 1969));
        Set("select_date_parts_before_epoch", (c, _) =>
            c.Select(x =>
                new { x.Id, x.BirthDate.Year, x.BirthDate.Month, x.BirthDate.Day, x.BirthDate.DayOfWeek, x.BirthDate.DayOfYear,
                    x.BirthDate.Hour, x.BirthDate.Millisecond }));
        Seq("order_by_date_before_epoch", (c, _) => c.OrderByDescending(x => x.BirthDate).Select(x => new { x.Id, x.BirthDate }));
        Set("group_by_month_before_epoch", (c, _) =>
            c.Where(x => x.BirthDate.Year < 1970).GroupBy(x => x.BirthDate.Month).Select(g =>
                new { Month = g.Key, Count = g.Count(), Oldest = g.Min(x => x.BirthDate), Youngest = g.Max(x => x.BirthDate) }));
        Seq("min_max_date_before_epoch", (c, _) => new[] { c.Min(x => x.BirthDate), c.Max(x => x.BirthDate) });
        Seq("order_by_special_doubles", (c, _) => c.OrderBy(x => x.Measure).ThenBy(x => x.Id).Select(x => new { x.Id, x.Measure }));
        Seq("order_by_special_doubles_descending", (c, _) =>
            c.OrderByDescending(x => x.Measure).ThenBy(x => x.Id).Select(x => new { x.Id, x.Measure }));
        Set("where_special_doubles_greater", (c, _) => c.Where(x => x.Measure > 0));
        Set("where_special_doubles_less_or_equal_zero", (c, _) => c.Where(x => x.Measure <= 0));
        Set("where_special_doubles_equal_zero", (c, _) => c.Where(x => x.Measure == 0));
        Set("where_special_doubles_not_equal", (c, _) => c.Where(x => x.Measure != 1.5));
        Set("where_special_doubles_infinite", (c, _) =>
            c.Where(x => x.Measure == double.PositiveInfinity || x.Measure == double.NegativeInfinity));
        Seq("min_max_special_doubles", (c, _) => new[] { c.Min(x => x.Measure), c.Max(x => x.Measure) });
        Seq("max_finite_doubles", (c, _) => c.Where(x => x.Measure > -1e308 && x.Measure < 1e308).Max(x => x.Measure));
        Seq("sum_finite_doubles", (c, _) => c.Where(x => x.Measure > -1e200 && x.Measure < 1e200).Sum(x => x.Measure));
        Set("group_by_special_doubles_average", (c, _) =>
            c.GroupBy(x => x.Tier).Select(g =>
                new { g.Key, Average = g.Average(x => x.Measure), Min = g.Min(x => x.Measure), Max = g.Max(x => x.Measure) }));
        Set("distinct_decimal_scales", (_, o) => o.Select(y => y.Fee).Distinct());
        Set("group_by_decimal_scales", (_, o) =>
            o.GroupBy(y => y.Fee).Select(g => new { Fee = g.Key, Count = g.Count(), Total = g.Sum(y => y.Fee) }));
        Set("where_decimal_equals_other_scale", (_, o) => o.Where(y => y.Fee == 1.5000m || y.Fee == 0.0m));
        Seq("order_by_decimal_scales", (_, o) => o.OrderBy(y => y.Fee).ThenBy(y => y.Id).Select(y => new { y.Id, y.Fee }));

        // ---- Array and conversion expressions ----
        Set("where_subdocuments_any_regex", (c, _) => c.Where(x => x.Contacts.Any(k => k.Value.Contains("@") && k.Priority == 2)));
        Set("where_array_any_length", (c, _) => c.Where(x => x.Tags.Any(t => t.Length > 4)));
        Set("where_array_count_range", (c, _) => c.Where(x => x.Tags.Count >= 1 && x.Tags.Count <= 2));
        Set("where_subdocuments_empty", (c, _) => c.Where(x => x.Contacts.Count == 0));
        Set("where_long_beyond_int", (c, _) => c.Where(x => x.Points > int.MaxValue || x.Points < -100_000));
        // No List.IndexOf here: the driver cannot translate it in a projection ("unable to determine which serializer").
        Set("select_array_contains", (c, _) =>
            c.Select(x => new { x.Id, IsVip = x.Tags.Contains("vip"), HasFax = x.Contacts.Any(k => k.Kind == "fax") }));
        Set("select_array_distinct_count", (c, _) =>
            c.Select(x => new { x.Id, Priorities = x.Contacts.Select(k => k.Priority).Distinct().Count() }));
        Set("select_subdocuments_sorted_first", (c, _) =>
            c.Select(x =>
                new { x.Id,
                    Top = x.Contacts.OrderByDescending(k => k.Priority).ThenBy(k => k.Value).Select(k => k.Value).FirstOrDefault() }));
        Set("select_conversions", (c, _) =>
            c.Select(x => new { x.Id, Truncated = (int)x.Rating, AsLong = (long)x.Age, AsDouble = (double)x.Points }));
        Set("select_math_pow_sqrt", (c, _) =>
            c.Where(x => x.Rating >= 0).Select(x =>
                new { x.Id, Root = Math.Sqrt(x.Rating), Square = Math.Pow(x.Rating, 2), Log = Math.Log10(x.Age) }));
        Set("select_string_trim_and_concat_fields", (c, _) =>
            c.Where(x => x.Address != null).Select(x => new { x.Id, Label = x.City.Trim() + " " + x.Address!.Street }));
        Seq("group_order_by_count_then_key", (c, _) =>
            c.GroupBy(x => x.City).Select(g => new { City = g.Key, Count = g.Count() }).OrderByDescending(r => r.Count).ThenBy(r =>
                r.City).Take(5));
        Seq("group_then_skip_take", (_, o) =>
            o.GroupBy(y => y.CustomerId).Select(g => new { CustomerId = g.Key, Quantity = g.Sum(y => y.Quantity) }).OrderBy(r =>
                r.CustomerId).Skip(10).Take(10));
        Set("group_by_array_size", (c, _) =>
            c.GroupBy(x => x.Tags.Count).Select(g => new { Tags = g.Key, Count = g.Count(), Contacts = g.Sum(x => x.Contacts.Count) }));

        return q;
    }
}
