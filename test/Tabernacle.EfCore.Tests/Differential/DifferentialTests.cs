using System.Collections;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Differential;

public enum Status
{
    Draft,
    Active,
    Suspended,
    Closed,
}

public class Detail
{
    public string? Color { get; set; }

    public int Size { get; set; }
}

public class Part
{
    public string Code { get; set; } = "";

    public int Count { get; set; }
}

public class Sample
{
    public int Id { get; set; }

    public string? Name { get; set; }

    public int Quantity { get; set; }

    public int? Score { get; set; }

    public decimal Price { get; set; }

    public double Weight { get; set; }

    public Status Status { get; set; }

    public Status? Previous { get; set; }

    public DateTime At { get; set; }

    public bool Active { get; set; }

    public List<string> Tags { get; set; } = [];

    public Detail? Detail { get; set; }

    public List<Part> Parts { get; set; } = [];
}

public class DifferentialContext(DbContextOptions<DifferentialContext> options) : DbContext(options)
{
    public DbSet<Sample> Samples => Set<Sample>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Sample>().Property(s => s.Id).ValueGeneratedNever();
}

/// <summary>
/// Runs each query against MongoDB through the provider and with LINQ to Objects over the same in-memory list, and
/// requires equal results. MongoDB's deliberate differences are modelled explicitly where a query meets them:
/// strings order by code point (ordinal), dates keep milliseconds, and every ordering ends with the key so ties
/// cannot make the comparison depend on the server's natural order.
/// </summary>
public sealed class DifferentialTests : ProviderTestBase<DifferentialContext>
{
    private static readonly string[] Words =
        ["alpha", "Beta", "gamma", "Delta", "épsilon", "zeta", "Eta", "theta", "iota", "kappa", "a.b", "a+b", "(x)", "Ωmega", ""];
    private static readonly string[] Colors = ["red", "green", "blue", "Red"];
    private static readonly DateTime Origin = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>300 entities from a seeded generator: the same data every run.</summary>
    public static readonly IReadOnlyList<Sample> Data = Generate(300, seed: 20260110);

    private static List<Sample> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new List<Sample>(count);
        for (var i = 1; i <= count; i++)
        {
            samples.Add(new Sample
            {
                Id = i,
                Name = random.Next(10) == 0 ? null : Words[random.Next(Words.Length)]
                    + (random.Next(3) == 0 ? "" : random.Next(100).ToString(CultureInfo.InvariantCulture)),
                Quantity = random.Next(-50, 200),
                Score = random.Next(5) == 0 ? null : random.Next(0, 101),
                Price = Math.Round((decimal)random.NextDouble() * 1000m, random.Next(0, 4)),
                Weight = Math.Round(random.NextDouble() * 100, 3),
                Status = (Status)random.Next(4),
                Previous = random.Next(3) == 0 ? null : (Status)random.Next(4),

                // BSON dates keep milliseconds: generate nothing finer.
                At = Origin.AddMilliseconds(random.NextInt64(0, 5L * 365 * 24 * 3600 * 1000)),
                Active = random.Next(2) == 0,
                Tags = Enumerable.Range(0, random.Next(4)).Select(_ => Colors[random.Next(Colors.Length)]).ToList(),
                Detail = random.Next(4) == 0 ? null
                    : new Detail { Color = random.Next(5) == 0 ? null : Colors[random.Next(Colors.Length)], Size = random.Next(1, 10) },
                Parts = Enumerable.Range(0, random.Next(3)).Select(j => new Part { Code = $"P{j}", Count = random.Next(10) }).ToList(),
            });
        }

        return samples;
    }

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Samples.AddRange(Generate(300, seed: 20260110));
        await db.SaveChangesAsync();
    }

    private static readonly DateTime Cut = new(2022, 6, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The query cases. Each is applied to the provider's IQueryable and to the in-memory list.</summary>
    public static readonly IReadOnlyDictionary<string, Func<IQueryable<Sample>, object?>> Cases =
        new Dictionary<string, Func<IQueryable<Sample>, object?>>
    {
        ["where_int_gt"] = q => q.Where(s => s.Quantity > 100).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_int_range"] = q => q.Where(s => s.Quantity >= 0 && s.Quantity < 10).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_negative"] = q =>
            q.Where(s => s.Quantity < 0).OrderByDescending(s => s.Quantity).ThenBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_decimal"] = q => q.Where(s => s.Price > 500.5m).OrderBy(s => s.Price).ThenBy(s => s.Id).Select(s => s.Price).ToList(),
        ["where_double"] = q => q.Where(s => s.Weight <= 25.125).OrderBy(s => s.Id).Select(s => s.Weight).ToList(),
        ["where_bool"] = q => q.Where(s => s.Active).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_not_bool"] = q => q.Where(s => !s.Active).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_enum_eq"] = q => q.Where(s => s.Status == Status.Suspended).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_enum_ne"] = q => q.Where(s => s.Status != Status.Draft).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_enum_gt"] = q => q.Where(s => s.Status > Status.Active).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_nullable_enum_null"] = q => q.Where(s => s.Previous == null).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_nullable_enum_value"] = q => q.Where(s => s.Previous == Status.Closed).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_name_null"] = q => q.Where(s => s.Name == null).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_name_not_null"] = q => q.Where(s => s.Name != null).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_score_null"] = q => q.Where(s => s.Score == null).OrderBy(s => s.Id).Select(s => s.Id).ToList(),

        // C#'s lifted comparison: a null Score is neither < nor >= anything (MongoDB would order null lowest).
        ["where_score_lt_lifted"] = q => q.Where(s => s.Score < 30).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_score_not_ge_lifted"] = q => q.Where(s => !(s.Score >= 30)).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_hasvalue_value"] = q =>
            q.Where(s => s.Score.HasValue && s.Score.Value % 2 == 0).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_arithmetic"] = q => q.Where(s => s.Quantity * 2 - 10 > 150).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_modulo"] = q => q.Where(s => s.Id % 7 == 3).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_or"] = q =>
            q.Where(s => s.Quantity > 180 || s.Status == Status.Closed && s.Active).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_date"] = q => q.Where(s => s.At < Cut).OrderBy(s => s.At).ThenBy(s => s.Id).Select(s => s.At).ToList(),
        ["where_starts_with"] = q => q.Where(s => s.Name != null && s.Name.StartsWith("a")).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_ends_with"] = q => q.Where(s => s.Name != null && s.Name.EndsWith("7")).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_contains_regex_chars"] = q =>
            q.Where(s => s.Name != null && s.Name.Contains("+b")).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_contains_case_sensitive"] = q =>
            q.Where(s => s.Name != null && s.Name.Contains("eta")).OrderBy(s => s.Id).Select(s => s.Name).ToList(),
        ["where_owned_member"] = q => q.Where(s => s.Detail != null && s.Detail.Size >= 7).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_owned_null"] = q => q.Where(s => s.Detail == null).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["where_owned_string"] = q =>
            q.Where(s => s.Detail != null && s.Detail.Color == "red").OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["contains_param_list"] = q =>
            q.Where(s => new[] { 3, 30, 300, 3000 }.Contains(s.Id)).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["contains_enum_list"] = q =>
            q.Where(s => new List<Status> { Status.Draft, Status.Closed }.Contains(s.Status)).OrderBy(s => s.Id).Select(s => s.Id).ToList(),
        ["skip_take"] = q => q.OrderBy(s => s.Quantity).ThenBy(s => s.Id).Skip(20).Take(15).Select(s => s.Id).ToList(),
        ["take_then_where_order"] = q =>
            q.Where(s => s.Active).OrderByDescending(s => s.Price).ThenBy(s => s.Id).Take(10).Select(s => s.Price).ToList(),
        ["then_by_desc"] = q => q.OrderBy(s => s.Status).ThenByDescending(s => s.Weight).ThenBy(s => s.Id).Select(s => s.Id).ToList(),
        ["first"] = q => q.OrderBy(s => s.Price).ThenBy(s => s.Id).First().Id,
        ["first_or_default_none"] = q => q.FirstOrDefault(s => s.Quantity > 1000)?.Id,
        ["single"] = q => q.Single(s => s.Id == 150).Quantity,
        ["any"] = q => q.Any(s => s.Quantity == 199),
        ["all"] = q => q.All(s => s.Price >= 0),
        ["all_false"] = q => q.All(s => s.Active),
        ["count"] = q => q.Count(s => s.Score > 50 || s.Active),
        ["long_count"] = q => q.LongCount(s => s.Status == Status.Active),
        ["sum_int"] = q => q.Sum(s => s.Quantity),
        ["sum_decimal"] = q => q.Where(s => s.Active).Sum(s => s.Price),
        ["sum_nullable"] = q => q.Sum(s => s.Score),
        ["min_max"] = q => (q.Min(s => s.Weight), q.Max(s => s.At)),
        ["average"] = q => Math.Round(q.Average(s => s.Quantity), 9),
        ["average_nullable"] = q => Math.Round(q.Average(s => s.Score) ?? -1, 9),
        ["max_nullable_empty"] = q => q.Where(s => s.Quantity > 1000).Max(s => s.Score),
        ["select_anonymous"] = q =>
            q.Where(s => s.Id <= 40).OrderBy(s => s.Id).Select(s => new { s.Id, s.Status, Twice = s.Quantity * 2, s.Active }).ToList(),
        ["select_owned_values"] = q =>
            q.Where(s => s.Detail != null).OrderBy(s => s.Id).Select(s => new { s.Id, s.Detail!.Size, s.Detail.Color }).ToList(),
        ["select_tags"] = q => q.OrderBy(s => s.Id).Take(50).Select(s => string.Join(",", s.Tags)).ToList(),
        ["select_parts"] = q =>
            q.OrderBy(s => s.Id).Take(50).Select(s => s.Parts).ToList().Select(p =>
                string.Join(",", p.Select(x => $"{x.Code}:{x.Count}"))).ToList(),
        ["select_client_projection"] = q =>
            q.Where(s => s.Name != null).OrderBy(s => s.Id).Take(30).Select(s => s.Name!.ToUpperInvariant() + "!").ToList(),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Query_matches_LINQ_to_Objects(string name)
    {
        await using var db = CreateContext();
        var expected = Normalize(Cases[name](Data.AsQueryable()));
        var actual = Normalize(Cases[name](db.Samples.AsNoTracking()));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Ordering_by_string_is_ordinal_like_MongoDB()
    {
        // MongoDB compares strings by code point (no collation), so uppercase sorts before lowercase and 'é'/'Ω' after 'z';
        // LINQ to Objects' default is culture-aware, so the in-memory side orders with StringComparer.Ordinal. Nulls first.
        await using var db = CreateContext();
        var expected = Data.OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Id).Select(s => s.Id).ToList();
        Assert.Equal(expected, await db.Samples.OrderBy(s => s.Name).ThenBy(s => s.Id).Select(s => s.Id).ToListAsync());
        var descending =
            Data.Where(s => s.Name != null).OrderByDescending(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Id).Select(s =>
                s.Name).Take(40).ToList();
        Assert.Equal(descending,
            await db.Samples.Where(s => s.Name != null).OrderByDescending(s => s.Name).ThenBy(s => s.Id).Select(s =>
                s.Name).Take(40).ToListAsync());
    }

    [Fact]
    public async Task Whole_entities_round_trip_with_their_owned_data()
    {
        await using var db = CreateContext();
        var stored = await db.Samples.OrderBy(s => s.Id).ToListAsync();
        Assert.Equal(Data.Count, stored.Count);
        for (var i = 0; i < Data.Count; i++)
        {
            var (e, a) = (Data[i], stored[i]);
            Assert.Equal((e.Id, e.Name, e.Quantity, e.Score, e.Price, e.Weight, e.Status, e.Previous, e.At, e.Active),
                (a.Id, a.Name, a.Quantity, a.Score, a.Price, a.Weight, a.Status, a.Previous, a.At, a.Active));
            Assert.Equal(e.Tags, a.Tags);
            Assert.Equal(e.Detail is null, a.Detail is null);
            Assert.Equal((e.Detail?.Color, e.Detail?.Size), (a.Detail?.Color, a.Detail?.Size));
            Assert.Equal(e.Parts.Select(p => (p.Code, p.Count)), a.Parts.Select(p => (p.Code, p.Count)));
        }
    }

    private static string Normalize(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Normalize)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
