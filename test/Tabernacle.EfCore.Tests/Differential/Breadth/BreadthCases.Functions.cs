using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

public static partial class BreadthCases
{
    /// <summary>
    /// Item 2: string, date and math functions in predicates (and, through Distinct/GroupBy or a filter on a projected
    /// value, in projections evaluated on the server). Names are ASCII, so MongoDB's ASCII-only case mapping agrees
    /// with .NET's; cities hold non-ASCII letters and are only compared, never case-mapped.
    /// </summary>
    private static void AddFunctions(Dictionary<string, BreadthCase> c)
    {
        // Strings.
        c["str_to_lower_starts_with"] = new(s => s.Customers.Where(x => x.Name.ToLower().StartsWith("a")).Select(x => x.Id).AsBag());
        c["str_to_upper_contains"] = new(s => s.Customers.Where(x => x.Name.ToUpper().Contains("VE")).Select(x => x.Id).AsBag());
        c["str_ends_with_nullable"] =
            new(s => s.Customers.Where(x => x.Email != null && x.Email.EndsWith(".org")).Select(x => x.Id).AsBag());
        c["str_contains_field_argument"] =
            new(s => s.Customers.Where(x => x.Email != null && x.Email.StartsWith("user" + (x.Id % 7).ToString())).Select(x =>
                x.Id).AsBag());
        c["str_length"] = new(s => s.Customers.Where(x => x.Name.Length > 8).Select(x => x.Id).AsBag());
        c["str_substring"] =
            new(s => s.Customers.Where(x => x.Name.Substring(0, 1) == "B" || x.Name.Substring(x.Name.Length - 2) == "Z.").Select(x =>
                x.Id).AsBag());
        c["str_index_of"] = new(s => s.Customers.Where(x => x.Name.IndexOf(' ') == 5).Select(x => x.Name).AsBag());
        c["str_replace"] =
            new(s => s.Customers.Where(x => x.Name.Replace(".", "!").EndsWith("A!")).Select(x => x.Id).AsBag(), MayBeEmpty: true);
        c["str_trim"] = new(s => s.Orders.Where(o => o.Note != null && o.Note.Trim() == "fragile").Select(o => o.Id).AsBag());
        c["str_trim_start_end"] =
            new(s => s.Orders.Where(o => o.Note != null && o.Note.TrimStart() != o.Note.TrimEnd()).Select(o => o.Id).AsBag());
        c["str_is_null_or_empty"] = new(s => s.Orders.Where(o => string.IsNullOrEmpty(o.Note)).Select(o => o.Id).AsBag());
        c["str_is_null_or_white_space"] = new(s => s.Orders.Where(o => !string.IsNullOrWhiteSpace(o.Note)).Select(o => o.Id).AsBag());
        c["str_concat_operator"] =
            new(s => s.Customers.Where(x => (x.Name + "#" + x.Tier.ToString()).EndsWith(".#Gold")).Select(x => x.Id).AsBag());
        c["str_concat_method"] = new(s => s.Customers.Where(x => string.Concat(x.Name, x.Email) == x.Name).Select(x => x.Id).AsBag());
        c["str_equals_ignore_case"] =
            new(s => s.Customers.Where(x => x.Email != null && x.Email.Contains("MAIL.ORG", StringComparison.OrdinalIgnoreCase)).Select(x =>
                x.Id).AsBag());
        c["str_equals_ordinal_ignore_case"] =
            new(s => s.Orders.Where(o => string.Equals(o.Note, "CALL FIRST", StringComparison.OrdinalIgnoreCase)).Select(o =>
                o.Id).AsBag());
        c["str_compare_ordinal"] = new(s => s.Customers.Where(x => string.CompareOrdinal(x.Name, "m") > 0).Select(x => x.Id).AsBag());
        c["str_like"] = new(
            s => s.Customers.Where(x => EF.Functions.Like(x.Name, "%a_ %")).Select(x => x.Id).AsBag(),
            Expected: s => s.Customers.Where(x => Regex.IsMatch(x.Name, "^.*a. .*$")).Select(x => x.Id).AsBag());
        c["str_regex"] = new(s => s.Customers.Where(x => Regex.IsMatch(x.Name, "^[A-Z][a-z]+ [M-Z]")).Select(x => x.Id).AsBag());
        c["str_regex_ignore_case"] =
            new(s => s.Orders.Where(o => o.Note != null && Regex.IsMatch(o.Note, "door", RegexOptions.IgnoreCase)).Select(o =>
                o.Id).AsBag());
        c["str_projected_then_filtered"] =
            new(s => s.Customers.Select(x => new { x.Id, Upper = x.Name.ToUpper() }).Where(x => x.Upper.StartsWith("OL")).Select(x =>
                x.Id).AsBag());
        c["str_in_projection"] =
            new(s => s.Customers.OrderBy(x => x.Id).Take(20).Select(x =>
                new { x.Id, Short = x.Name.Substring(0, 3).ToLower(), Len = x.Name.Length, Mail = x.Email ?? "-" }).ToList());

        // Dates.
        c["date_year"] = new(s => s.Orders.Where(o => o.PlacedAt.Year == 2023).Select(o => o.Id).AsBag());
        c["date_month_day"] = new(s => s.Orders.Where(o => o.PlacedAt.Month == 2 && o.PlacedAt.Day <= 14).Select(o => o.Id).AsBag());
        c["date_day_of_week"] = new(s => s.Orders.Where(o => o.PlacedAt.DayOfWeek == DayOfWeek.Sunday).Select(o => o.Id).AsBag());
        c["date_hour_minute"] = new(s => s.Orders.Where(o => o.PlacedAt.Hour < 3 && o.PlacedAt.Minute >= 30).Select(o => o.Id).AsBag());
        c["date_add_days"] = new(s => s.Orders.Where(o => o.PlacedAt.AddDays(45) < Cut).Select(o => o.Id).AsBag());
        c["date_add_months"] = new(s => s.Customers.Where(x => x.Since.AddMonths(6) > Cut && x.Since < Cut).Select(x => x.Id).AsBag());
        c["date_add_hours_on_nullable"] =
            new(s => s.Orders.Where(o => o.ShippedAt != null && o.ShippedAt.Value.AddHours(-24) < o.PlacedAt).Select(o => o.Id).AsBag());
        c["date_difference"] =
            new(s => s.Orders.Where(o => o.ShippedAt != null && (o.ShippedAt.Value - o.PlacedAt).TotalDays > 15).Select(o => o.Id).AsBag());
        c["date_date_part"] =
            new(s => s.Orders.Where(o =>
                o.PlacedAt.Date == new DateTime(2022, 5, 17, 0, 0, 0, DateTimeKind.Utc)
                    || o.PlacedAt.Date.AddDays(1) < new DateTime(2021, 1, 20, 0, 0, 0, DateTimeKind.Utc)).Select(o => o.Id).AsBag());
        c["date_only_parts"] = new(s => s.Customers.Where(x => x.Birthday.Year < 1970 && x.Birthday.Month >= 6).Select(x => x.Id).AsBag());
        c["date_only_add"] = new(s => s.Customers.Where(x => x.Birthday.AddYears(50) < new DateOnly(2010, 1, 1)).Select(x => x.Id).AsBag());
        c["date_utc_now"] =
            new(s => s.Orders.Where(o => o.PlacedAt < DateTime.UtcNow.AddYears(-1) && o.Status == OrderStatus.Paid).Select(o =>
                o.Id).AsBag());
        c["date_part_distinct"] = new(s => s.Customers.Select(x => x.Since.Year).Distinct().AsBag());

        // Math and conversions.
        c["math_round"] = new(s => s.Orders.Where(o => Math.Round(o.Weight) == 20).Select(o => o.Id).AsBag());
        c["math_round_digits_decimal"] = new(s => s.Orders.Where(o => Math.Round(o.Total, 1) > 800.5m).Select(o => o.Id).AsBag());
        c["math_floor_ceiling"] =
            new(s => s.Orders.Where(o => Math.Floor(o.Weight) % 3 == 0 && Math.Ceiling(o.Weight) < 30).Select(o => o.Id).AsBag());
        c["math_abs"] = new(s => s.Customers.Where(x => x.Address != null && Math.Abs(x.Address.Floor - 5) <= 1).Select(x => x.Id).AsBag());
        c["math_pow_sqrt"] =
            new(s => s.Orders.Where(o => Math.Pow(o.Weight, 2) > 900 || Math.Sqrt(o.Weight) < 1.5).Select(o => o.Id).AsBag());
        c["math_max_min"] =
            new(s => s.Orders.Where(o => Math.Max(o.Weight, 10) == 10 && Math.Min(o.Total, 100m) == o.Total).Select(o => o.Id).AsBag());
        c["cast_double_to_int"] = new(s => s.Orders.Where(o => (int)o.Weight == 7).Select(o => o.Id).AsBag());
        c["cast_decimal_to_double"] = new(s => s.Orders.Where(o => (double)o.Total > 640.25).Select(o => o.Id).AsBag());
        c["convert_to_int32"] = new(s => s.Orders.Where(o => Convert.ToInt32(o.Weight) == 39).Select(o => o.Id).AsBag());
        c["convert_to_double_arithmetic"] =
            new(s => s.Orders.Where(o => Convert.ToDouble(o.Total) / 2 > o.Weight * 10).Select(o => o.Id).AsBag());
        c["math_in_group_key"] =
            new(s => s.Orders.GroupBy(o => Math.Floor(o.Weight / 10)).Select(g => new { g.Key, N = g.Count() }).AsBag());
    }
}
