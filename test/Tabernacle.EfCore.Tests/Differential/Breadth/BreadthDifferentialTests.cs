using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Differential.Breadth;

/// <summary>
/// Issue 5's query breadth, differentially: every case in <see cref="BreadthCases"/> runs through the provider against
/// 330 stored entities in two collections (customers with a business-customer subtype, orders referencing them) and
/// with LINQ to Objects over the same entities connected in memory; the printed results must be equal.
/// MongoDB's deliberate differences are modelled, not hidden: strings order by code point (<see cref="OrdinalQuery{T}"/>),
/// decimals compare by value and doubles to 12 digits (<see cref="Normalizer"/>), nulls sort first in both.
/// </summary>
public sealed class BreadthDifferentialTests : ProviderTestBase<BreadthContext>
{
    private static readonly (List<Customer> Customers, List<Order> Orders) Memory = BreadthData.CreateConnected();

    protected override async Task SeedAsync()
    {
        var (customers, orders) = BreadthData.Create();
        await using var db = CreateContext();
        db.Customers.AddRange(customers);
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
    }

    public static TheoryData<string> CaseNames => new(BreadthCases.All.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Query_matches_LINQ_to_Objects(string name)
    {
        var @case = BreadthCases.All[name];
        var inMemory = BreadthSets.InMemory(Memory.Customers, Memory.Orders);
        var expected = (@case.Expected ?? @case.Query)(inMemory);
        Assert.True(@case.MayBeEmpty || !Normalizer.IsEmpty(expected),
            $"Case '{name}' selects nothing in memory: it would pass without testing anything.");

        using var db = CreateContext();
        var actual = @case.Query(BreadthSets.Server(db));
        Assert.Equal(Normalizer.Normalize(expected), Normalizer.Normalize(actual));
    }

    /// <summary>Item 6: what has no MQL form fails with EF Core's standard error, naming the reason; nothing runs on the client.</summary>
    public static TheoryData<string> UntranslatableNames => new(Untranslatable.Keys);

    private static readonly Dictionary<string, (Func<BreadthSets, object?> Query, string Reason)> Untranslatable = new()
    {
        ["last_without_order"] = (s => s.Orders.Last(), "Last/LastOrDefault needs an OrderBy"),
        ["select_many_default_if_empty"] =
            (s => s.Customers.SelectMany(x => x.Scores.DefaultIfEmpty()).ToList(), "SelectMany over DefaultIfEmpty()"),
        ["group_aggregate_through_navigation"] = (s => s.Orders.GroupBy(o => o.Status).Select(g => g.Max(o => o.Customer!.Age)).ToList(),
            "A group can be used only through its Key and aggregates"),
        ["group_whole_with_include"] = (s => s.Orders.Include(o => o.Customer).GroupBy(o => o.Status)
            .Select(g => g.OrderBy(o => o.Id).First()).ToList(),
            "on the elements of a group used whole"),
        ["concat_client_code_on_one_side"] =
            (s => s.Customers.Select(x => x.Name).Concat(s.Customers.Select(x => x.Name.GetHashCode().ToString())).ToList(),
                "needs both sides to have the same shape"),
        ["union_of_joined_collections"] =
            (s => s.Customers.Select(x =>
                new { x.Id, Ids = x.Orders.Select(o => o.Id).ToList() }).Union(
                    s.Customers.Select(x => new { x.Id, Ids = x.Orders.Select(o => o.Id).ToList() })).ToList(),
                        "needs both sides to have the same shape"),
        ["string_format_with_format_item"] =
            (s => s.Customers.Where(x => $"{x.Id:D4}".EndsWith("7")).ToList(), "only '{n}' items are translated"),
        ["string_format_double"] = (s => s.Orders.Where(o => $"{o.Weight}".EndsWith("5")).ToList(), "depends on .NET's formatting rules"),
        ["char_code_arithmetic"] = (s => s.Customers.Where(x => x.Name[0] + 1 > 70).ToList(), "The conversion of a char"),
        ["select_many_owned_entities"] = (s => s.Orders.SelectMany(o => o.Lines).ToList(), "not the owned entities themselves"),
        ["array_distinct_first"] =
            (s => s.Customers.Where(x => x.Scores.Distinct().First() < 10).ToList(), "$setUnion does not keep the elements' order"),
        ["array_order_computed_key"] =
            (s => s.Customers.Where(x => x.Scores.OrderBy(v => -v).First() < 10).ToList(), "a computed key is not supported"),
    };

    [Theory]
    [MemberData(nameof(UntranslatableNames))]
    public void Untranslatable_queries_throw_EFs_standard_error(string name)
    {
        using var db = CreateContext();
        var (query, reason) = Untranslatable[name];
        var error = Assert.Throws<InvalidOperationException>(() => query(BreadthSets.Server(db)));
        Assert.Contains("could not be translated", error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_suite_is_as_broad_as_issue_5_asks()
    {
        Assert.True(BreadthCases.All.Count >= 120, $"{BreadthCases.All.Count} cases");
        Assert.Equal(330, Memory.Customers.Count + Memory.Orders.Count);
        Assert.Contains(Memory.Orders, o => o.Customer is null);
        Assert.Contains(Memory.Customers, c => c.Orders.Count == 0);
        Assert.Contains(Memory.Customers, c => c is BusinessCustomer);
    }

    [Fact]
    public async Task Stored_entities_round_trip_with_their_references()
    {
        await using var db = CreateContext();
        Assert.Equal(BreadthData.CustomerCount, await db.Customers.CountAsync());
        Assert.Equal(BreadthData.OrderCount, await db.Orders.CountAsync());
        Assert.Equal(Memory.Customers.OfType<BusinessCustomer>().Count(), await db.BusinessCustomers.CountAsync());
        var stored = await db.Customers.Include(c => c.Orders).OrderBy(c => c.Id).ToListAsync();
        Assert.Equal(
            Memory.Customers.Select(c =>
                Normalizer.Normalize(
                    (c, c.Name, c.Email, c.Tier, c.Perks, c.Since, c.Birthday, c.Age, c.CreditLimit, c.Address?.City, c.Address?.Zip,
                        c.Scores, c.Labels, c.ReferredById, c.Orders.Select(o => o.Id).Order().ToList()))),
            stored.Select(c =>
                Normalizer.Normalize(
                    (c, c.Name, c.Email, c.Tier, c.Perks, c.Since, c.Birthday, c.Age, c.CreditLimit, c.Address?.City, c.Address?.Zip,
                        c.Scores, c.Labels, c.ReferredById, c.Orders.Select(o => o.Id).Order().ToList()))));
    }
}
