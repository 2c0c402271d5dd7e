using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary><c>$expr</c>: an aggregation expression evaluated with <c>$$ROOT</c> the document, matching when truthy.</summary>
internal sealed class ExprNode : FilterNode
{
    private readonly AggregationExpression _expression;
    private readonly ExpressionScope _scope;

    public ExprNode(BsonValue expression, FilterCompiler compiler)
    {
        _expression = AggregationExpression.Compile(expression, new ExpressionCompileContext(compiler.Collation));

        // The let variables are constants of the command, so one scope serves every document.
        _scope = new ExpressionScope();
        if (compiler.Variables is not null)
        {
            foreach (var variable in compiler.Variables)
            {
                _scope.Set(variable.Name, variable.Value);
            }
        }
    }

    public override bool Matches(BsonDocument document, MatchDetails? details) =>
        AggregationExpression.IsTruthy(_expression.Evaluate(document, _scope));
}
