namespace Tabernacle.MongoEmulator.Tests.Differential;

/// <summary>The comparison itself must be able to fail, or the differential suite proves nothing.</summary>
public sealed class ResultComparerTests
{
    [Fact]
    public void Detects_differences_in_values_order_count_and_nesting()
    {
        Assert.False(ResultComparer.AreEqual(new { A = 1, B = "x" }, new { A = 1, B = "X" }, out _));
        Assert.False(ResultComparer.AreEqual(new List<int> { 1, 2 }, new List<int> { 2, 1 }, out _));
        Assert.False(ResultComparer.AreEqual(new List<int> { 1, 2 }, new List<int> { 1, 2, 2 }, out _));
        Assert.False(
            ResultComparer.AreEqual(new Customer { Address = new Address { Zip = 1 } }, new Customer { Address = new Address { Zip = 2 } },
                out var difference));
        Assert.Contains("Address.Zip", difference, StringComparison.Ordinal);
        Assert.False(ResultComparer.AreEqual(new Customer(), new Customer { Tags = ["a"] }, out _));
        Assert.False(ResultComparer.AreEqual(null, new Customer(), out _));
        Assert.False(ResultComparer.AreEqual(1.5m, 1.6m, out _));
        Assert.False(
            ResultComparer.AreEqual(new DateTime(2020, 1, 1, 0, 0, 0, 1, DateTimeKind.Utc),
                new DateTime(2020, 1, 1, 0, 0, 0, 2, DateTimeKind.Utc), out _));
    }

    [Fact]
    public void Tolerates_only_summation_rounding_and_compares_multisets_after_canonical_ordering()
    {
        Assert.True(ResultComparer.AreEqual(0.1 + 0.2, 0.3, out _));
        Assert.False(ResultComparer.AreEqual(0.3, 0.3001, out _));
        Assert.True(ResultComparer.AreEqual(
            ResultComparer.Canonicalize([new { A = 2 }, new { A = 1 }, null]),
            ResultComparer.Canonicalize([null, new { A = 1 }, new { A = 2 }]),
            out _));
        Assert.False(ResultComparer.AreEqual(
            ResultComparer.Canonicalize([new { A = 1 }, new { A = 1 }]),
            ResultComparer.Canonicalize([new { A = 1 }, new { A = 2 }]),
            out _));
    }

    [Fact]
    public void Linq_to_objects_side_orders_strings_ordinally_with_null_first()
    {
        var names = LinqToObjectsSource.Create(new[] { "b", null, "B", "é", "a", "" }).OrderBy(s => s).ToList();
        Assert.Equal(new string?[] { null, "", "B", "a", "b", "é" }, names);
        Assert.Equal("é", LinqToObjectsSource.Create(new[] { "b", null, "Z", "é" }).Max());

        // U+FF71 is one UTF-16 unit above the surrogates; U+1F600 is a surrogate pair: code point order puts U+FF71 first.
        var symbols = LinqToObjectsSource.Create(new[] { "\U0001F600", "\uFF71", "\uFFFD", "z" }).OrderBy(s => s).ToList();
        Assert.Equal(new[] { "z", "\uFF71", "\uFFFD", "\U0001F600" }, symbols);
    }
}
