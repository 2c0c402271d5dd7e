using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Tests.Query.Expressions;

/// <summary>Compiles and evaluates expressions written as extended JSON, and compares results type-strictly.</summary>
internal static class ExpressionTestHelper
{
    public static readonly DateTime FixedNow = new(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);

    public static BsonValue Value(string json) => BsonDocument.Parse("{v: " + json + "}")["v"];

    public static BsonValue? Evaluate(string expression, string document = "{}", Collation? collation = null, ExpressionScope? scope = null)
    {
        var compiled = AggregationExpression.Compile(Value(expression), new ExpressionCompileContext(collation));
        return compiled.Evaluate(BsonDocument.Parse(document), scope ?? new ExpressionScope { Now = FixedNow });
    }

    /// <summary>Asserts the result has exactly the expected BSON type and value (1 and 1.0 differ).</summary>
    public static void AssertEvaluates(string expected, string expression, string document = "{}")
    {
        var actual = Evaluate(expression, document);
        Assert.NotNull(actual);
        Assert.Equal(Value(expected), actual);
    }

    public static void AssertMissing(string expression, string document = "{}") => Assert.Null(Evaluate(expression, document));

    public static MongoErrorException AssertError(int code, string expression, string document = "{}")
    {
        var error = Assert.Throws<MongoErrorException>(() => Evaluate(expression, document));
        Assert.Equal(code, error.Code);
        return error;
    }
}
