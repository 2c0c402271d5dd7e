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
        Seq("order_by_descending_nullable_int", (c, _) => c.OrderByDescending(x => x.Score).ThenBy(x => x.Id).Select(x => new { x.Id, x.Score }));
        Seq("order_by_string_then_desc_decimal", (c, _) => c.OrderBy(x => x.City).ThenByDescending(x => x.Balance).ThenBy(x => x.Id));
        Seq("order_by_date", (c, _) => c.OrderBy(x => x.JoinedAt).ThenBy(x => x.Id).Select(x => new { x.Id, x.JoinedAt }));
        Seq("order_by_enum_then_double_desc", (c, _) => c.OrderBy(x => x.Tier).ThenByDescending(x => x.Rating).ThenBy(x => x.Id).Select(x => new { x.Id, x.Tier, x.Rating }));
        Seq("order_by_nested_field", (c, _) => c.Where(x => x.Address != null).OrderBy(x => x.Address!.Zip).ThenBy(x => x.Id).Select(x => new { x.Id, x.Address!.Zip }));
        Seq("order_by_nested_nullable_string", (c, _) => c.Where(x => x.Address != null).OrderByDescending(x => x.Address!.City).ThenBy(x => x.Id).Select(x => new { x.Id, x.Address!.City }));
        Seq("skip_take", (c, _) => c.OrderBy(x => x.Id).Skip(100).Take(15));
        Seq("take_top_by_long", (c, _) => c.OrderByDescending(x => x.Points).ThenBy(x => x.Id).Take(10).Select(x => new { x.Id, x.Points }));
        Seq("where_order_skip_take_select", (c, _) => c.Where(x => x.Active).OrderBy(x => x.Age).ThenBy(x => x.Id).Skip(5).Take(20).Select(x => new { x.Id, x.Age }));
        Seq("skip_past_end", (c, _) => c.OrderBy(x => x.Id).Skip(1000));

        // ---- Select to anonymous types ----
        Set("select_anonymous_with_conditional", (c, _) => c.Select(x => new { x.Id, x.Name, City = x.Address == null ? null : x.Address.City }));
        Set("select_arithmetic_and_lower", (c, _) => c.Select(x => new { x.Id, Twice = x.Balance * 2, Lower = x.City.ToLower(), Next = x.Age + 1 }));
        Set("select_array_count_and_first", (c, _) => c.Select(x => new { x.Id, TagCount = x.Tags.Count, First = x.Tags.FirstOrDefault() }));
        Set("select_filtered_subdocuments", (c, _) => c.Select(x => new { x.Id, Emails = x.Contacts.Where(k => k.Kind == "email").Select(k => k.Value).ToList() }));
        Set("select_date_parts", (c, _) => c.Select(x => new { x.Id, x.JoinedAt.Year, x.JoinedAt.Month, x.JoinedAt.Day, x.JoinedAt.Hour }));
        // Not x.Age / 10: the driver renders integer division as $divide, whose double result (3.7) it then refuses
        // to truncate into an int (TruncationException) against real MongoDB too; a driver gap, not the emulator's.
        Set("select_modulo_and_bool", (c, _) => c.Select(x => new { x.Id, Adult = x.Age >= 18, LastDigit = x.Age % 10 }));
        Set("select_string_concat", (c, _) => c.Select(x => new { x.Id, Label = x.City + "/" + (x.Active ? "on" : "off") }));
        Set("select_many_subdocuments", (c, _) => c.SelectMany(x => x.Contacts).Where(k => k.Priority == 3).Select(k => new { k.Kind, k.Value }));

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
        Set("group_by_enum_double_and_decimal", (c, _) => c.GroupBy(x => x.Tier).Select(g => new { Tier = g.Key, AverageRating = g.Average(x => x.Rating), Total = g.Sum(x => x.Balance), MaxRating = g.Max(x => x.Rating) }));
        Set("group_by_bool_nullable_aggregates", (c, _) => c.GroupBy(x => x.Active).Select(g => new { g.Key, AverageScore = g.Average(x => x.Score), MaxScore = g.Max(x => x.Score), MinScore = g.Min(x => x.Score), SumScore = g.Sum(x => x.Score), Nulls = g.Count(x => x.Score == null) }));
        Set("group_by_composite_key", (c, _) => c.GroupBy(x => new { x.City, x.Active }).Select(g => new { g.Key.City, g.Key.Active, Count = g.Count() }));
        Set("group_by_nested_nullable_key", (c, _) => c.Where(x => x.Address != null).GroupBy(x => x.Address!.City).Select(g => new { City = g.Key, Count = g.Count(), MaxZip = g.Max(x => x.Address!.Zip) }));
        Seq("group_by_having_ordered", (c, _) => c.GroupBy(x => x.Name).Where(g => g.Count() > 3).Select(g => new { Name = g.Key, Count = g.Count() }).OrderBy(r => r.Name));
        Set("group_by_string_min_max", (c, _) => c.GroupBy(x => x.Tier).Select(g => new { Tier = g.Key, First = g.Min(x => x.Name), Last = g.Max(x => x.Name) }));
        Set("group_by_orders_decimal_average", (_, o) => o.GroupBy(y => y.CustomerId).Select(g => new { CustomerId = g.Key, Total = g.Sum(y => y.Amount), Average = g.Average(y => y.Amount), FirstPlaced = g.Min(y => y.PlacedAt), MaxQuantity = g.Max(y => y.Quantity) }));
        Set("group_by_status_long_count", (_, o) => o.GroupBy(y => y.Status).Select(g => new { Status = g.Key, Count = g.LongCount(), Quantity = g.Sum(y => y.Quantity), AverageDiscount = g.Average(y => y.Discount) }));

        // ---- Join and GroupJoin ($lookup) ----
        Set("join_customers_orders", (c, o) => c.Join(o, x => x.Id, y => y.CustomerId, (x, y) => new { x.Id, x.Name, OrderId = y.Id, y.Amount }));
        Set("join_orders_customers_drops_dangling", (c, o) => o.Join(c, y => y.CustomerId, x => x.Id, (y, x) => new { y.Id, x.City, y.Status }));
        Set("join_then_where", (c, o) => c.Join(o, x => x.Id, y => y.CustomerId, (x, y) => new { x.Id, x.Tier, y.Status, y.Quantity }).Where(r => r.Tier == Tier.Platinum && r.Status == "paid"));
        Set("group_join_aggregates", (c, o) => c.GroupJoin(o, x => x.Id, y => y.CustomerId, (x, ys) => new { x.Id, Count = ys.Count(), Total = ys.Sum(y => y.Amount) }));
        Set("group_join_any", (c, o) => c.GroupJoin(o, x => x.Id, y => y.CustomerId, (x, ys) => new { x.Id, HasCancelled = ys.Any(y => y.Status == "cancelled") }));

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

        return q;
    }
}
