using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Tests.Query.Filters;

public class ExprFilterTests
{
    private static bool Matches(string filter, string document, string? variables = null) =>
        QueryFilter.Compile(BsonDocument.Parse(filter), null,
            variables is null ? null : BsonDocument.Parse(variables)).Matches(BsonDocument.Parse(document));

    [Theory]
    [InlineData("{$expr: {$gt: ['$spent', '$budget']}}", "{_id: 1, category: 'food', budget: 400, spent: 450}", true)]
    [InlineData("{$expr: {$gt: ['$spent', '$budget']}}", "{_id: 2, category: 'drinks', budget: 100, spent: 150}", true)]
    [InlineData("{$expr: {$gt: ['$spent', '$budget']}}", "{_id: 3, category: 'clothes', budget: 100, spent: 50}", false)]
    [InlineData("{$expr: {$eq: ['$a', '$$ROOT.a']}}", "{a: 1}", true)]
    [InlineData("{$expr: '$flag'}", "{flag: 0}", false)]
    [InlineData("{$expr: '$flag'}", "{flag: 'x'}", true)]
    [InlineData("{$expr: '$flag'}", "{}", false)]
    [InlineData("{a: 1, $expr: {$lt: ['$b', 5]}}", "{a: 1, b: 3}", true)]
    [InlineData("{$or: [{a: 2}, {$expr: {$lt: ['$b', 5]}}]}", "{a: 1, b: 7}", false)]
    public void Expr_evaluates_aggregation_expressions(string filter, string document, bool expected) =>
        Assert.Equal(expected, Matches(filter, document));

    [Theory]
    [InlineData("{$expr: {$eq: ['$a', '$$target']}}", "{a: 5}", "{target: 5}", true)]
    [InlineData("{$expr: {$eq: ['$a', '$$target']}}", "{a: 4}", "{target: 5}", false)]
    public void Expr_sees_let_variables(string filter, string document, string variables, bool expected) =>
        Assert.Equal(expected, Matches(filter, document, variables));
}
