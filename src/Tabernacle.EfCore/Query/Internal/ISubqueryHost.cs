using System.Linq.Expressions;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>What lambda translation needs from the query translator: joining a subquery over another collection into the current query,
/// runtime parameters.</summary>
internal interface ISubqueryHost
{
    /// <summary>Joins <paramref name="subquery"/> into the current query as an array; <c>null</c> when it cannot.</summary>
    JoinedCollectionExpression? JoinSubquery(Expression subquery);

    /// <summary>A parameter whose value is computed from the query's parameters when it runs (an entity parameter's key).</summary>
    Microsoft.EntityFrameworkCore.Query.QueryParameterExpression RegisterRuntimeParameter(string name, LambdaExpression valueExtractor);

    /// <summary>Whether this translates a subquery (whose results are joined into another query's documents).</summary>
    bool IsSubquery { get; }

    /// <summary>
    /// A value of the outer query's row that a subquery's projection returns (<c>Select(o =&gt; c.City)</c>), carried into
    /// the subquery's rows; <c>null</c> when <paramref name="field"/> belongs to the current query's rows.
    /// </summary>
    DocumentValueExpression? CarryOuterField(MqlFieldExpression field) => null;
}
