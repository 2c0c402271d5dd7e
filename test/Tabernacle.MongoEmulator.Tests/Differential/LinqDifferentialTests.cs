using System.Collections;
using MongoDB.Driver;
using Xunit.Abstractions;

namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>
/// Every query in <see cref="DifferentialQueries"/> through MongoDB.Driver's LINQ provider (LINQ3 → MQL → emulator)
/// must return exactly what LINQ to Objects returns over the same documents. The MQL the driver sent is logged.
/// </summary>
public sealed class LinqDifferentialTests(DifferentialFixture fixture, ITestOutputHelper output) : IClassFixture<DifferentialFixture>
{
    public static TheoryData<string> Queries()
    {
        var data = new TheoryData<string>();
        foreach (var query in DifferentialQueries.All)
        {
            data.Add(query.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void Emulator_matches_linq_to_objects(string name)
    {
        var query = DifferentialQueries.Get(name);

        var expected = Materialize(query.Run(LinqToObjectsSource.Create(fixture.Customers), LinqToObjectsSource.Create(fixture.Orders)));

        fixture.ClearCommands();
        object? actual;
        try
        {
            actual = Materialize(query.Run(fixture.CustomerCollection.AsQueryable(), fixture.OrderCollection.AsQueryable()));
        }
        finally
        {
            foreach (var command in fixture.TakeCommands())
            {
                output.WriteLine("MQL: " + command);
            }
        }

        if (!query.Ordered && expected is List<object?> expectedList && actual is List<object?> actualList)
        {
            expected = ResultComparer.Canonicalize(expectedList);
            actual = ResultComparer.Canonicalize(actualList);
        }

        output.WriteLine($"LINQ to Objects: {Count(expected)}");
        Assert.True(
            ResultComparer.AreEqual(expected, actual, out var difference),
            $"{name}: emulator differs from LINQ to Objects: {difference}");
    }

    [Fact]
    public void Generated_data_is_large_and_varied_enough()
    {
        Assert.True(fixture.Customers.Count + fixture.Orders.Count >= 200);
        Assert.True(fixture.Customers.Count >= 200);
        Assert.Contains(fixture.Customers, c => c.Name is null);
        Assert.Contains(fixture.Customers, c => c.Address is null);
        Assert.Contains(fixture.Customers, c => c.Address is { City: null });
        Assert.Contains(fixture.Customers, c => c.Tags.Count == 0);
        Assert.Contains(fixture.Customers, c => c.Score is null);
        Assert.Contains(fixture.Orders, o => o.CustomerId > DataGenerator.CustomerCount);
        Assert.Contains(fixture.Customers, c => double.IsNaN(c.Measure));
        Assert.Contains(fixture.Customers, c => double.IsNegativeInfinity(c.Measure));
        Assert.Contains(fixture.Customers, c => c.BirthDate.Year < 1970);
        Assert.Contains(fixture.Customers, c => c.Nickname is not null && char.IsSurrogate(c.Nickname, 0));
        Assert.True(DifferentialQueries.All.Count >= 60);
        Assert.Equal(DifferentialQueries.All.Count, DifferentialQueries.All.Select(q => q.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_document_round_trips_through_the_emulator()
    {
        var customers = fixture.CustomerCollection.AsQueryable().OrderBy(c => c.Id).ToList();
        Assert.True(ResultComparer.AreEqual(fixture.Customers, customers, out var difference), difference);
        var orders = fixture.OrderCollection.AsQueryable().OrderBy(o => o.Id).ToList();
        Assert.True(ResultComparer.AreEqual(fixture.Orders, orders, out difference), difference);
    }

    /// <summary>
    /// mongod stores a double's bits as sent, so -0.0 comes back as -0.0. The emulator reads commands into
    /// MongoDB.Bson's BsonDocument, whose BsonDouble.Create (used by the BSON deserializer and the implicit
    /// double conversion) hands back its cached +0.0 for -0.0, so the sign is lost on insert, in Wire/Storage, before
    /// any query runs. ResultComparer compares doubles by value (-0.0 == 0.0) so the rest of the suite is not affected.
    /// </summary>
    [Fact]
    public void Negative_zero_survives_a_round_trip()
    {
        var stored = fixture.CustomerCollection.AsQueryable().Where(c => c.Measure == 0).Select(c => new { c.Id, c.Measure }).ToList();
        var expected = fixture.Customers.Where(c => c.Measure == 0).ToDictionary(c => c.Id, c => double.IsNegative(c.Measure));
        Assert.NotEmpty(stored);
        Assert.All(stored, s => Assert.Equal(expected[s.Id], double.IsNegative(s.Measure)));
    }

    // Enumerated without Cast<object>(), which the driver's LINQ provider would try (and fail) to translate.
    private static object? Materialize(object? result)
    {
        if (result is not IQueryable queryable)
        {
            return result;
        }

        var items = new List<object?>();
        foreach (var item in queryable)
        {
            items.Add(item);
        }

        return items;
    }

    private static string Count(object? result) =>
        result is ICollection collection ? $"{collection.Count} results" : ResultComparer.Render(result);
}
