using System.Linq.Expressions;

namespace Tabernacle.EfCore.Tests.Query.Functions;

public sealed class MathAndConversionTests : FunctionsTestBase
{
    private static readonly Dictionary<string, Expression<Func<Item, bool>>> Cases = new()
    {
        ["Math.Abs int"] = i => Math.Abs(i.Quantity) > 5 && i.Quantity < 14,
        ["Math.Abs decimal"] = i => Math.Abs(i.Price) > 10,
        ["Math.Abs double"] = i => Math.Abs(i.Weight) == 2.5,
        ["Math.Round decimal half to even"] = i => Math.Round(i.Price) == 2 || Math.Round(i.Price) == -4,
        ["Math.Round double half to even"] = i => Math.Round(i.Weight) == 2,
        ["Math.Round with digits"] = i => Math.Round(i.Price, 1) == 1.2m || Math.Round(i.Price, 1) == 7.4m,
        ["Math.Round away from zero"] = i =>
            Math.Round(i.Price, MidpointRounding.AwayFromZero) == 3 || Math.Round(i.Price, MidpointRounding.AwayFromZero) == -5,
        ["Math.Round double away from zero"] = i =>
            Math.Round(i.Weight, MidpointRounding.AwayFromZero) == 3 || Math.Round(i.Weight, MidpointRounding.AwayFromZero) == -3,
        ["Math.Round with digits away from zero"] = i => Math.Round(i.Price, 1, MidpointRounding.AwayFromZero) == 1.3m,
        ["Math.Round toward zero"] = i => Math.Round(i.Weight, MidpointRounding.ToZero) == -2,
        ["Math.Floor"] = i => Math.Floor(i.Weight) == -1,
        ["Math.Floor decimal"] = i => Math.Floor(i.Price) == -5,
        ["Math.Ceiling"] = i => Math.Ceiling(i.Weight) == 0,
        ["Math.Truncate"] = i => Math.Truncate(i.Price) == -4 || Math.Truncate(i.Weight) == -2,
        ["Math.Pow"] = i => Math.Pow(i.Weight, 2) > 10,
        ["Math.Sqrt"] = i => Math.Sqrt(i.Weight) > 1.5,
        ["Math.Sqrt of a negative is NaN"] = i => double.IsNaN(Math.Sqrt(i.Weight)) == false && Math.Sqrt(i.Weight) >= 0 && i.Weight < 1,
        ["Math.Sqrt of a negative compares false"] = i => Math.Sqrt(i.Weight) < 1,
        ["double.IsNaN"] = i => double.IsNaN(Math.Sqrt(i.Weight)),
        ["double.IsInfinity"] = i => double.IsInfinity(Math.Log(i.Weight)) || double.IsNegativeInfinity(Math.Log10(i.Weight)),
        ["double.IsFinite"] = i => double.IsFinite(Math.Log(i.Weight)),
        ["Math.Exp"] = i => Math.Exp(i.Weight) < 1,
        ["Math.Log"] = i => Math.Log(i.Weight) > 1,
        ["Math.Log of zero is -infinity"] = i => Math.Log(i.Weight) < -100,
        ["Math.Log10"] = i => Math.Log10(i.Weight) >= 1,
        ["Math.Log with a base"] = i => Math.Log(i.Weight, 2) > 1,
        ["Math.Sign"] = i => Math.Sign(i.Price) < 0 || Math.Sign(i.Quantity) == 0,
        ["Math.Max"] = i => Math.Max(i.Quantity, i.Rating ?? 0) > 5,
        ["Math.Min"] = i => Math.Min(i.Weight, 1.0) < 0.5,
        ["Math.Clamp"] = i => Math.Clamp(i.Quantity, 0, 5) == 5,
        ["cast decimal to int truncates"] = i => (int)i.Price == 12 || (int)i.Price == -4,
        ["cast double to int truncates toward zero"] = i => (int)i.Weight == 0,
        ["cast double to long"] = i => (long)(i.Weight * 10) % 3 == 0,
        ["cast decimal to double"] = i => (double)i.Price > 10.5,
        ["cast double to decimal"] = i => (decimal)i.Weight == 2.5m,
        ["cast int to double keeps the division fractional"] = i => (double)i.Quantity / 4 == 2.5,
        ["int division truncates"] = i => i.Quantity / 4 == 2,
        ["Convert.ToInt32 of decimal rounds half to even"] = i => Convert.ToInt32(i.Price) == 2,
        ["Convert.ToInt32 of double rounds half to even"] = i => Convert.ToInt32(i.Weight) == 2,
        ["Convert.ToInt64"] = i => Convert.ToInt64(i.Weight) == -2,
        ["Convert.ToDouble"] = i => Convert.ToDouble(i.Price) > 20.0,
        ["Convert.ToDecimal"] = i => Convert.ToDecimal(i.Weight) > 3m,
        ["Convert.ToBoolean"] = i => Convert.ToBoolean(i.Quantity),
        ["Convert.ToString"] = i => Convert.ToString(i.Quantity) == "15",
        ["Convert.ToInt64 of a string"] = i => Convert.ToInt64(i.Big.ToString()) > 100,
        ["Convert.ToBoolean of a string"] = i => Convert.ToBoolean((i.Quantity > 5).ToString()),
        ["int.ToString"] = i => i.Quantity.ToString() == "15" || i.Quantity.ToString().StartsWith("-"),
        ["long.ToString"] = i => i.Big.ToString().Length > 5,
        ["nullable int ToString of null is empty"] = i => i.Rating.ToString() == "",
        ["ObjectId.ToString"] = i => i.ExternalId.ToString().EndsWith("0c"),
        ["enum ToString"] = i => i.Tier.ToString() == "Gold",
        ["enum stored as string ToString"] = i => i.NamedTier.ToString() == "Silver",
        ["bool ToString"] = i => (i.Quantity > 5).ToString() == "True",
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public Task Matches_linq_to_objects(string name) => AssertSameAsync(Cases[name]);
}
