using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Query.Internal.Translators;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Translates the body of a LINQ lambda (with its parameter already replaced by the source's shaper) into the query
/// model. A part with no MQL form visits to EF Core's <see cref="QueryCompilationContext.NotTranslatedExpression"/>, with the
/// reason in <see cref="TranslationErrorDetails"/>; <see cref="Translate"/> then returns <c>null</c>. Nothing is ever
/// evaluated on the client instead.
/// </summary>
internal sealed class MqlTranslatingExpressionVisitor : ExpressionVisitor
{
    private static readonly MethodInfo EnumerableContains =
        typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2);

    private static readonly Expression NotTranslated = QueryCompilationContext.NotTranslatedExpression;

    private readonly ArrayOperatorTranslator _arrays;

    private readonly GroupingTranslator _groupings;

    private readonly EntityEqualityTranslator _entityEquality;

    private readonly IMqlMethodCallTranslatorProvider _methods;

    private readonly IMqlMemberTranslatorProvider _members;

    public MqlTranslatingExpressionVisitor(
        IMqlMethodCallTranslatorProvider methods, IMqlMemberTranslatorProvider members, ISubqueryHost? host = null)
    {
        _methods = methods;
        _members = members;
        Host = host;
        _entityEquality = new EntityEqualityTranslator(host, Visit);
        _arrays = new ArrayOperatorTranslator(this);
        _groupings = new GroupingTranslator(this);
    }

    /// <summary>Aggregates over a group, as a field of the group document; <c>null</c> when the call is not one.</summary>
    public (string Field, Type Type)? TranslateGroupAggregate(MethodCallExpression call) => _groupings.TryTranslate(call);

    public string? TranslationErrorDetails { get; private set; }

    /// <summary>The stored array (primitive, owned or complex collection, after Where/Select) a SelectMany unwinds.</summary>
    public (MqlExpression Array, Func<string, Expression> Element)? TranslateArraySource(Expression source)
    {
        TranslationErrorDetails = null;
        return _arrays.TranslateSource(source);
    }

    /// <summary>Joins subqueries over other collections into the query being translated.</summary>
    public ISubqueryHost? Host { get; }

    /// <summary>
    /// Translates a sub-expression without resetting the error details (for the array translator's sources); <c>null</c>
    /// when it has no translation.
    /// </summary>
    public Expression? TranslateOperand(Expression expression) => Translated(Visit(expression));

    public MqlExpression? Translate(Expression expression)
    {
        TranslationErrorDetails = null;
        var result = Visit(expression);
        if (result is MqlExpression mql)
        {
            return mql;
        }

        TranslationErrorDetails ??= result is StructuralTypeShaperExpression
            ? "Comparing whole entities is not supported; compare their keys or properties instead."
            : null;
        return null;
    }

    /// <summary>Records why an array operator has no MQL form; returns <c>null</c> for the caller to pass on.</summary>
    public (MqlExpression Array, Func<string, Expression> Element)? FailArray(string details)
    {
        TranslationErrorDetails ??= details;
        return null;
    }

    private Expression Fail(string details)
    {
        TranslationErrorDetails ??= details;
        return NotTranslated;
    }

    /// <summary>The translation, or <c>null</c> for none (EF Core's sentinel), for the checks that read better as a null test.</summary>
    private static Expression? Translated(Expression? expression) => expression == NotTranslated ? null : expression;

    private Expression TranslatedOr(Expression? expression, string details) => Translated(expression) ?? Fail(details);

    public override Expression? Visit(Expression? node) => node is null ? null : base.Visit(node);

    protected override Expression VisitExtension(Expression node) => node switch
    {
        MqlExpression => node,
        StructuralTypeShaperExpression => node,
        GroupingShaperExpression => node,
        IncludeExpression include => Visit(include.EntityExpression)!,
        DocumentValueExpression value => new MqlFieldExpression(value.Path, value.Type, value.Property, value.TypeMapping, value.Root),
        QueryParameterExpression parameter => new MqlParameterExpression(parameter.Name, parameter.Type),
        _ => NotTranslated,
    };

    protected override Expression VisitConstant(ConstantExpression node) => new MqlConstantExpression(node.Value, node.Type);

    protected override Expression VisitParameter(ParameterExpression node) => NotTranslated;

    // new DateOnly(2026, 2, 28), new DateTime(...), new Guid("..."): built from constants, so a constant.
    protected override Expression VisitNew(NewExpression node)
    {
        if (node.Constructor is not null && node.Members is null && node.Arguments.All(a => a is ConstantExpression))
        {
            var value = node.Constructor.Invoke(node.Arguments.Select(a => ((ConstantExpression)a).Value).ToArray());
            return new MqlConstantExpression(value, node.Type);
        }

        // Built from values of the row: kept as written (with translated arguments) for the comparisons that take it apart.
        var arguments = new Expression[node.Arguments.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            if (Translated(Visit(node.Arguments[i])) is not { } argument)
            {
                return Fail($"An argument of 'new {node.Type.Name}(...)' could not be translated to MQL.");
            }

            arguments[i] = argument;
        }

        return node.Update(arguments);
    }

    // An array has an MQL value only as a method's argument (string.Format's params array): see VisitMethodCall.
    protected override Expression VisitNewArray(NewArrayExpression node) =>
        Fail($"The array '{node}' could not be translated to MQL.");

    protected override Expression VisitInvocation(InvocationExpression node) =>
        Fail($"The invocation '{node}' could not be translated to MQL.");

    protected override Expression VisitIndex(IndexExpression node) => Fail($"The indexer '{node}' could not be translated to MQL.");

    /// <summary>
    /// <c>new Customer { CustomerID = "ALFKI" }</c> built from constants is a constant; built from values of the row it
    /// stays as written, for entity equality to compare the key members it assigns (it has no MQL value of its own).
    /// </summary>
    protected override Expression VisitMemberInit(MemberInitExpression node)
    {
        if (node.NewExpression.Arguments.All(a => a is ConstantExpression)
            && node.Bindings.All(b => b is MemberAssignment { Expression: ConstantExpression }))
        {
            var value = Expression.Lambda<Func<object?>>(Expression.Convert(node, typeof(object))).Compile(preferInterpretation: true)();
            return new MqlConstantExpression(value, node.Type);
        }

        return node;
    }

    protected override Expression VisitMember(MemberExpression node)
    {
        if (node.Expression is null)
        {
            return _members.Translate(null, node.Member, node.Type)
                ?? Fail($"The static member '{node.Member.DeclaringType?.Name}.{node.Member.Name}' could not be translated to MQL.");
        }

        // Members of anonymous types and DTOs built by an earlier Select resolve to what was assigned to them.
        if (ResolveProjectedMember(node.Expression, node.Member) is { } assigned)
        {
            return Visit(assigned)!;
        }

        var source = MemberBinder.UnwrapShaper(node.Expression) is not null ? node.Expression : Translated(Visit(node.Expression));
        if (source is GroupingShaperExpression grouping && node.Member.Name == nameof(IGrouping<int, int>.Key))
        {
            return Visit(grouping.KeyShaper)!;
        }

        if (source is not null && MemberBinder.Bind(source, MemberIdentity.Create(node.Member), node.Type) is { } bound)
        {
            return bound;
        }

        if (source is not null && MemberBinder.UnwrapShaper(source) is { } shaper)
        {
            var found = MemberBinder.FindMember(shaper, MemberIdentity.Create(node.Member));
            return found is INavigation navigation && !navigation.ForeignKey.IsOwnership
                ? Fail($"The navigation '{navigation.DeclaringEntityType.DisplayName()}.{navigation.Name}' leads to another collection; " +
                    $"navigations between collections cannot be used in queries yet.")
                : Fail(CoreStrings.QueryUnableToTranslateMember(node.Member.Name, shaper.StructuralType.DisplayName()));
        }

        if (source is MqlExpression mql)
        {
            if (node.Member.Name == nameof(Nullable<int>.HasValue) && Nullable.GetUnderlyingType(node.Expression.Type) is not null)
            {
                return new MqlBinaryExpression(MqlOperator.NotEqual, mql, new MqlConstantExpression(null, node.Expression.Type),
                    typeof(bool));
            }

            if (node.Member.Name == nameof(Nullable<int>.Value) && Nullable.GetUnderlyingType(node.Expression.Type) is not null)
            {
                return mql;
            }

            if (_members.Translate(mql, node.Member, node.Type) is { } translated)
            {
                return translated;
            }
        }

        return Fail($"The member '{node.Member.DeclaringType?.Name}.{node.Member.Name}' could not be translated to MQL.");
    }

    private static Expression? ResolveProjectedMember(Expression? source, MemberInfo member)
    {
        switch (source)
        {
            case NewExpression { Members: not null } newExpression:
                for (var i = 0; i < newExpression.Members.Count; i++)
                {
                    if (SameMember(newExpression.Members[i], member))
                    {
                        return newExpression.Arguments[i];
                    }
                }

                return null;
            case MemberInitExpression init:
                return init.Bindings.OfType<MemberAssignment>().FirstOrDefault(b => SameMember(b.Member, member))?.Expression;
            default:
                return null;
        }
    }

    private static bool SameMember(MemberInfo a, MemberInfo b) =>
        a == b || (a.Name == b.Name && a.DeclaringType == b.DeclaringType) || (a is MethodInfo getter && getter.Name == "get_" + b.Name);

    protected override Expression VisitUnary(UnaryExpression node)
    {
        switch (node.NodeType)
        {
            case ExpressionType.Not when node.Type == typeof(bool) || node.Type == typeof(bool?):
                return Visit(node.Operand) is MqlExpression operand ? new MqlNotExpression(operand) : NotTranslated;
            case ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.TypeAs:
                var inner = Visit(node.Operand);
                if (node.Operand.Type == typeof(char) && node.Type != typeof(object) && inner is MqlExpression
                    and not (MqlConstantExpression or MqlParameterExpression))
                {
                    // A char read from the server is a one-character string there: it has no number to convert to.
                    return Fail(
                        $"The conversion of a char to '{node.Type.Name}' could not be translated to MQL: compare characters with " +
                            $"characters instead.");
                }

                if (inner is StructuralTypeShaperExpression)
                {
                    return inner;
                }

                // Numeric casts that change the value (double → int truncates, decimal ↔ double) become $toInt/$toDouble...;
                // widening ones keep the operand so field comparisons stay in the query language.
                return inner is MqlExpression converted
                    ? Retype(NumericConversions.Translate(converted, node.Operand.Type, node.Type), node.Type) : NotTranslated;
            case ExpressionType.Negate or ExpressionType.NegateChecked:
                return Visit(node.Operand) is MqlExpression negated
                    ? new MqlBinaryExpression(MqlOperator.Multiply, negated, new MqlConstantExpression(-1, typeof(int)), node.Type)
                    : NotTranslated;
            default:
                return Fail($"The operator '{node.NodeType}' could not be translated to MQL.");
        }
    }

    // A cast keeps the value; for enums cast to numbers (as C# compiles enum comparisons) it keeps the enum's mapping.
    private static MqlExpression Retype(MqlExpression expression, Type type) => expression switch
    {
        MqlConstantExpression { Value: not null } constant when (Nullable.GetUnderlyingType(type) ?? type).IsEnum
            && constant.Value.GetType() != type
            => new MqlConstantExpression(Enum.ToObject(Nullable.GetUnderlyingType(type) ?? type, constant.Value), type,
                constant.TypeMapping),
        _ => expression,
    };

    protected override Expression VisitBinary(BinaryExpression node)
    {
        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && TranslateSubqueryEntityEquality(node)
            is { } subqueryEquality)
        {
            return subqueryEquality;
        }

        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && TranslateTypeComparison(node) is { } typeComparison)
        {
            return typeComparison;
        }

        var left = StripEnumConvert(node.Left, node.Right, out var right);
        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.GreaterThan
            or ExpressionType.GreaterThanOrEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
            && StripCharConvert(left, right) is { } chars)
        {
            (left, right) = chars;
        }

        var l = Translated(Visit(left));
        var r = Translated(Visit(right));

        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && TryTranslateNullComparison(l, r, node.NodeType)
            is { } nullComparison)
        {
            return nullComparison;
        }

        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && l is not null && r is not null
            && (EntityEqualityTranslator.EntityTypeOf(l) is not null || EntityEqualityTranslator.EntityTypeOf(r) is not null))
        {
            return (Expression?)_entityEquality.Translate(l, r, node.NodeType == ExpressionType.Equal)
                ?? Fail(_entityEquality.TranslationErrorDetails!);
        }

        if (l is not MqlExpression lm || r is not MqlExpression rm)
        {
            return Fail($"The operands of '{node.NodeType}' could not both be translated to MQL.");
        }

        (lm, rm) = InferMappings(lm, rm);

        // Operators implemented by a method (string + as string.Concat, DateTime - DateTime, DateTime + TimeSpan)
        // go to the method translators first: their MQL differs from the numeric operator's (nulls in $concat, dates).
        // Comparisons are left alone even when EF gave them a method (string comparisons rewritten to string.Compare).
        if (node.Method is not null && node.Type != typeof(bool) && _methods.Translate(null, node.Method, [lm, rm]) is { } byMethod)
        {
            return byMethod;
        }

        var op = node.NodeType switch
        {
            ExpressionType.Equal => MqlOperator.Equal,
            ExpressionType.NotEqual => MqlOperator.NotEqual,
            ExpressionType.GreaterThan => MqlOperator.GreaterThan,
            ExpressionType.GreaterThanOrEqual => MqlOperator.GreaterThanOrEqual,
            ExpressionType.LessThan => MqlOperator.LessThan,
            ExpressionType.LessThanOrEqual => MqlOperator.LessThanOrEqual,
            ExpressionType.AndAlso or ExpressionType.And when node.Type == typeof(bool) => MqlOperator.And,
            ExpressionType.OrElse or ExpressionType.Or when node.Type == typeof(bool) => MqlOperator.Or,
            ExpressionType.Add or ExpressionType.AddChecked => MqlOperator.Add,
            ExpressionType.Subtract or ExpressionType.SubtractChecked => MqlOperator.Subtract,
            ExpressionType.Multiply or ExpressionType.MultiplyChecked => MqlOperator.Multiply,
            ExpressionType.Divide => MqlOperator.Divide,
            ExpressionType.Modulo => MqlOperator.Modulo,
            ExpressionType.Coalesce => MqlOperator.Coalesce,
            ExpressionType.And when IsBitwiseOperand(node.Type) => MqlOperator.BitwiseAnd,
            ExpressionType.Or when IsBitwiseOperand(node.Type) => MqlOperator.BitwiseOr,
            ExpressionType.ExclusiveOr when IsBitwiseOperand(node.Type) => MqlOperator.ExclusiveOr,
            _ => (MqlOperator?)null,
        };
        if (op is null)
        {
            return Fail($"The operator '{node.NodeType}' could not be translated to MQL.");
        }

        // $bitAnd/$bitOr/$bitXor take int and long only: an enum stored as a string has no bits on the server.
        if (op is MqlOperator.BitwiseAnd or MqlOperator.BitwiseOr or MqlOperator.ExclusiveOr
            && (StoredAsString(lm) || StoredAsString(rm)))
        {
            return Fail(
                $"The operator '{node.NodeType}' could not be translated to MQL: its operand is stored as a string. Use HasFlag, or " +
                    $"store the enum as a number.");
        }

        return new MqlBinaryExpression(op.Value, lm, rm, node.Type);
    }

    /// <summary>
    /// <c>c.Orders.FirstOrDefault() == order</c> (an entity of a subquery compared with another entity, a constant or a
    /// parameter): their keys compared, the subquery's read from its first joined document. Comparisons with null are
    /// left to the general path (the joined document is there or not).
    /// </summary>
    private Expression? TranslateSubqueryEntityEquality(BinaryExpression node)
    {
        static bool IsNull(Expression e) =>
            e is ConstantExpression { Value: null } || e
                is UnaryExpression { NodeType: ExpressionType.Convert, Operand: ConstantExpression { Value: null } };

        if (IsNull(node.Left) || IsNull(node.Right))
        {
            return null;
        }

        var leftSubquery = _arrays.TranslateFirstEntity(node.Left);
        var rightSubquery = _arrays.TranslateFirstEntity(node.Right);
        if (leftSubquery is null && rightSubquery is null)
        {
            return null;
        }

        var l = leftSubquery ?? Translated(Visit(node.Left));
        var r = rightSubquery ?? Translated(Visit(node.Right));
        if (l is null || r is null)
        {
            return Fail(
                "An entity returned by a subquery can be compared with an entity of the query, a constant entity or an entity given as a " +
                    "parameter.");
        }

        return (Expression?)_entityEquality.Translate(l, r, node.NodeType == ExpressionType.Equal)
            ?? Fail(_entityEquality.TranslationErrorDetails!);
    }

    private static bool IsBitwiseOperand(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        t = t.IsEnum ? Enum.GetUnderlyingType(t) : t;
        return t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte)
            || t == typeof(ushort);
    }

    private static bool StoredAsString(MqlExpression expression) =>
        expression.TypeMapping?.Converter?.ProviderClrType == typeof(string);

    // x.Owned == null tests whether the embedded document is there.
    private static MqlExpression? TryTranslateNullComparison(Expression? left, Expression? right, ExpressionType nodeType)
    {
        var (shaper, other) = left is StructuralTypeShaperExpression s1 ? (s1, right) : right is StructuralTypeShaperExpression s2
            ? (s2, left) : (null, null);
        if (shaper is null || other is not MqlConstantExpression { Value: null })
        {
            return null;
        }

        var document = (EntityDocumentExpression)shaper.ValueBufferExpression;
        if (document.Path.Length == 0)
        {
            return new MqlConstantExpression(nodeType == ExpressionType.NotEqual, typeof(bool));
        }

        var field = new MqlFieldExpression(document.Path.TrimEnd('.'), typeof(object), null, null);
        return new MqlBinaryExpression(nodeType == ExpressionType.Equal ? MqlOperator.Equal : MqlOperator.NotEqual, field,
            new MqlConstantExpression(null, typeof(object)), typeof(bool));
    }

    /// <summary>
    /// C# compiles <c>s[0] == 'B'</c> as <c>(int)s[0] == 66</c>. MongoDB has no code point of a one-character string,
    /// but comparing the one-character strings orders them as their code points (strings compare by UTF-8 bytes).
    /// </summary>
    private static (Expression Left, Expression Right)? StripCharConvert(Expression left, Expression right)
    {
        static Expression? CharOperand(Expression e) => e switch
        {
            UnaryExpression { NodeType: ExpressionType.Convert, Operand: var operand } when operand.Type == typeof(char) => operand,
            _ => null,
        };

        static Expression? AsText(Expression e) => e switch
        {
            ConstantExpression { Value: int code } when code is >= 0 and <= char.MaxValue =>
                Expression.Constant(((char)code).ToString(), typeof(string)),
            _ => CharOperand(e),
        };

        if (CharOperand(left) is { } leftChar && AsText(right) is { } rightText)
        {
            return (leftChar, rightText);
        }

        return CharOperand(right) is { } rightChar && AsText(left) is { } leftText ? (leftText, rightChar) : null;
    }

    // C# compiles enum comparisons as Convert(x.Status, int) == 1: compare the enum values themselves so the enum's converter applies.
    private static Expression StripEnumConvert(Expression left, Expression right, out Expression strippedRight)
    {
        static Expression? EnumOperand(Expression e) =>
            e is UnaryExpression { NodeType: ExpressionType.Convert } u
                && (Nullable.GetUnderlyingType(u.Operand.Type) ?? u.Operand.Type).IsEnum ? u.Operand : null;

        strippedRight = right;
        if (EnumOperand(left) is { } leftEnum)
        {
            var enumType = leftEnum.Type;
            strippedRight = EnumOperand(right) ?? (right is ConstantExpression { Value: not null } c
                ? Expression.Constant(Enum.ToObject(Nullable.GetUnderlyingType(enumType) ?? enumType, c.Value), enumType)
                : right);
            return leftEnum;
        }

        if (EnumOperand(right) is { } rightEnum)
        {
            strippedRight = rightEnum;
            return left is ConstantExpression { Value: not null } c
                ? Expression.Constant(Enum.ToObject(Nullable.GetUnderlyingType(rightEnum.Type) ?? rightEnum.Type, c.Value), rightEnum.Type)
                : left;
        }

        return left;
    }

    /// <summary>A constant or parameter compared with a field is written the way the field is stored (its converter).</summary>
    private static (MqlExpression Left, MqlExpression Right) InferMappings(MqlExpression left, MqlExpression right)
    {
        var mapping = left.TypeMapping ?? right.TypeMapping;
        return (WithMapping(left, mapping), WithMapping(right, mapping));
    }

    private static MqlExpression WithMapping(MqlExpression expression, Microsoft.EntityFrameworkCore.Storage.CoreTypeMapping? mapping) =>
        expression switch
    {
        MqlConstantExpression constant when constant.TypeMapping is null && mapping is not null => constant.WithMapping(mapping),
        MqlParameterExpression parameter when parameter.TypeMapping is null && mapping is not null => parameter.WithMapping(mapping),
        _ => expression,
    };

    /// <summary>
    /// <c>x.GetType() == typeof(Dog)</c> (or !=) on an entity: exactly that type, so the discriminator is Dog's own value
    /// (not its derived types'); a constant when the entity type has no hierarchy or the type is not in it.
    /// </summary>
    private Expression? TranslateTypeComparison(BinaryExpression node)
    {
        static Expression? GetTypeOperand(Expression e) =>
            e is MethodCallExpression { Method.Name: nameof(GetType), Arguments.Count: 0, Object: { } target } ? target : null;

        static Type? TypeConstant(Expression e) => e switch
        {
            ConstantExpression { Value: Type type } => type,
            UnaryExpression { NodeType: ExpressionType.Convert, Operand: ConstantExpression { Value: Type type } } => type,
            _ => null,
        };

        var (operand, type) = GetTypeOperand(node.Left) is { } l && TypeConstant(node.Right) is { } t1 ? (l, t1)
            : GetTypeOperand(node.Right) is { } r && TypeConstant(node.Left) is { } t2 ? (r, t2)
            : (null, null);
        if (operand is null || Visit(operand) is not StructuralTypeShaperExpression
            {
                StructuralType: IEntityType entityType, ValueBufferExpression: EntityDocumentExpression document,
            })
        {
            return null;
        }

        var equal = node.NodeType == ExpressionType.Equal;
        var target = entityType.GetDerivedTypesInclusive().FirstOrDefault(t => t.ClrType == type);
        if (target is null || target.IsAbstract())
        {
            return new MqlConstantExpression(!equal, typeof(bool));
        }

        if (!entityType.GetDerivedTypes().Any())
        {
            return new MqlConstantExpression(equal, typeof(bool));
        }

        if (target.FindDiscriminatorProperty() is not { } discriminator)
        {
            return Fail($"'{node}' needs a discriminator to tell the types of '{entityType.DisplayName()}' apart.");
        }

        var field =
            new MqlFieldExpression(document.Path + discriminator.GetElementName(), discriminator.ClrType, discriminator,
                discriminator.GetTypeMapping(), document.Root);
        var exact =
            new MqlInExpression(field,
                new MqlConstantExpression(new List<object?> { target.GetDiscriminatorValue() }, typeof(List<object>)));
        return equal ? exact : new MqlNotExpression(exact);
    }

    /// <summary><c>x is Dog</c>: the discriminator is one of Dog's (and its derived types') values.</summary>
    protected override Expression VisitTypeBinary(TypeBinaryExpression node)
    {
        if (node.NodeType == ExpressionType.TypeIs && Visit(node.Expression)
            is StructuralTypeShaperExpression { StructuralType: IEntityType entityType,
                ValueBufferExpression: EntityDocumentExpression document })
        {
            var target = entityType.GetDerivedTypesInclusive().FirstOrDefault(t => t.ClrType == node.TypeOperand);
            if (target is null)
            {
                return new MqlConstantExpression(node.TypeOperand.IsAssignableFrom(entityType.ClrType), typeof(bool));
            }

            if (target == entityType && !entityType.GetDerivedTypes().Any())
            {
                // Outside a hierarchy, every document of the query is of the queried type (c is Customer); a joined or
                // embedded one is when it is there (o.Customer is Customer).
                return document.Path.Length == 0
                    ? new MqlConstantExpression(true, typeof(bool))
                    : new MqlBinaryExpression(
                        MqlOperator.NotEqual,
                        new MqlFieldExpression(document.Path.TrimEnd('.'), typeof(object), null, null),
                        new MqlConstantExpression(null, typeof(object)),
                        typeof(bool));
            }

            if (target.FindDiscriminatorProperty() is { } discriminator)
            {
                var field =
                    new MqlFieldExpression(document.Path + discriminator.GetElementName(), discriminator.ClrType, discriminator,
                        discriminator.GetTypeMapping(), document.Root);
                var values = target.GetConcreteDerivedTypesInclusive().Select(t => t.GetDiscriminatorValue()).ToList();
                return new MqlInExpression(field, new MqlConstantExpression(values, typeof(List<object>)));
            }
        }

        return Fail($"The type test '{node}' could not be translated: it needs an entity type of a mapped hierarchy.");
    }

    protected override Expression VisitConditional(ConditionalExpression node)
    {
        if (Visit(node.Test) is MqlExpression test && Visit(node.IfTrue) is MqlExpression ifTrue && Visit(node.IfFalse)
            is MqlExpression ifFalse)
        {
            return new MqlConditionalExpression(test, ifTrue, ifFalse, node.Type);
        }

        return Fail("A conditional expression could not be translated to MQL.");
    }

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (MemberBinder.IsEfPropertyCall(node, out var source, out var name))
        {
            // EF Core writes a nested owned navigation as EF.Property(EF.Property(x, "Customer"), "Address"): bind the inner call first.
            var owner = MemberBinder.UnwrapShaper(source) is not null ? source : Translated(Visit(source));
            return (owner is null ? null : MemberBinder.Bind(owner, MemberIdentity.Create(name), node.Type))
                ?? Fail($"EF.Property(..., \"{name}\") does not name a mapped property.");
        }

        var method = node.Method;
        if (_groupings.TryTranslate(node) is { } aggregate)
        {
            return new MqlFieldExpression(aggregate.Field, aggregate.Type, null, null);
        }

        if (_arrays.TryTranslate(node) is { } arrayOperation)
        {
            return arrayOperation;
        }

        if (TryTranslateContains(node) is { } contains)
        {
            return contains;
        }

        if (method.Name == nameof(object.Equals) && node.Arguments.Count == 1 && node.Object is not null
            && node.Arguments[0].Type == node.Object.Type)
        {
            return VisitBinary(Expression.Equal(node.Object, node.Arguments[0]));
        }

        if (method.Name == nameof(object.Equals) && !method.IsStatic && node.Arguments.Count == 1 && node.Object is not null
            && Nullable.GetUnderlyingType(node.Object.Type) is not null
            && (node.Arguments[0] is UnaryExpression { NodeType: ExpressionType.Convert } box && box.Type == typeof(object) ? box.Operand
                : node.Arguments[0]) is var other
            && (Nullable.GetUnderlyingType(other.Type) ?? other.Type) == Nullable.GetUnderlyingType(node.Object.Type))
        {
            // x.Equals((object)y) on a nullable value and a value of the same type: null equals only null, as ==.
            return VisitBinary(
                Expression.Equal(node.Object, other.Type == node.Object.Type ? other : Expression.Convert(other, node.Object.Type)));
        }

        if (method.Name == nameof(object.Equals) && node.Arguments.Count == (method.IsStatic ? 2 : 1)
            && (method.IsStatic ? method.DeclaringType == typeof(object) : node.Object!.Type.IsValueType)
            && BoxedTypesDiffer(method.IsStatic ? node.Arguments[0] : node.Object!, node.Arguments[^1]))
        {
            // Equals(object, object) on values of different types (an int and a long) is false in .NET whatever the values.
            return new MqlConstantExpression(false, typeof(bool));
        }

        if (method.Name == nameof(object.Equals) && method.IsStatic && node.Arguments.Count == 2 && method.DeclaringType == typeof(object))
        {
            return VisitBinary(Expression.Equal(node.Arguments[0], Expression.Convert(node.Arguments[1], node.Arguments[0].Type)));
        }

        // Everything else goes to the method translators, with the instance and arguments translated first.
        MqlExpression? instance = null;
        if (node.Object is not null && (instance = Visit(node.Object) as MqlExpression) is null)
        {
            return Fail($"The object of '{method.DeclaringType?.Name}.{method.Name}' could not be translated to MQL.");
        }

        var arguments = new List<MqlExpression>(node.Arguments.Count);
        foreach (var argument in node.Arguments)
        {
            if (TranslateArgument(argument) is not MqlExpression translatedArgument)
            {
                return Fail($"An argument of '{method.DeclaringType?.Name}.{method.Name}' could not be translated to MQL.");
            }

            arguments.Add(translatedArgument);
        }

        return _methods.Translate(instance, method, arguments) switch
        {
            MqlUntranslatableExpression untranslatable => Fail(untranslatable.Reason),
            { } translated => translated,
            null => Fail($"The method '{method.DeclaringType?.Name}.{method.Name}' could not be translated to MQL."),
        };
    }

    // An array written inline as an argument (a params array) reaches the translators as an array of its elements.
    private Expression TranslateArgument(Expression argument)
    {
        if (argument is not NewArrayExpression { NodeType: ExpressionType.NewArrayInit } array)
        {
            return Visit(argument)!;
        }

        var elements = new List<MqlExpression>(array.Expressions.Count);
        foreach (var element in array.Expressions)
        {
            if (Visit(element) is not MqlExpression translated)
            {
                return NotTranslated;
            }

            elements.Add(translated);
        }

        return new MqlArrayExpression(elements, array.Type);
    }

    private static bool BoxedTypesDiffer(Expression a, Expression b)
    {
        static Type? ValueType(Expression e)
        {
            var unboxed = e is UnaryExpression { NodeType: ExpressionType.Convert } convert && convert.Type == typeof(object)
                ? convert.Operand : e;
            var type = Nullable.GetUnderlyingType(unboxed.Type) ?? unboxed.Type;
            return type.IsValueType ? type : null;
        }

        return ValueType(a) is { } x && ValueType(b) is { } y && x != y;
    }

    private Expression? TryTranslateContains(MethodCallExpression node)
    {
        Expression? values = null;
        Expression? item = null;
        var method = node.Method;
        if (method.IsStatic && method.Name == nameof(Enumerable.Contains) && node.Arguments.Count == 2
            && (method.DeclaringType == typeof(Enumerable) || method.DeclaringType == typeof(Queryable)
                || method.DeclaringType == typeof(MemoryExtensions)))
        {
            values = node.Arguments[0];
            item = node.Arguments[1];
        }
        else if (!method.IsStatic && method.Name == nameof(List<int>.Contains) && node.Arguments.Count == 1 && node.Object is not null
            && node.Object.Type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(node.Object.Type))
        {
            values = node.Object;
            item = node.Arguments[0];
        }

        if (values is null || item is null)
        {
            return null;
        }

        values = UnwrapCollection(values);
        if (TranslateLocalContains(values, item) is { } local)
        {
            return local;
        }

        var visitedItem = Visit(item);
        if (EntityEqualityTranslator.EntityTypeOf(visitedItem) is not null)
        {
            return (Expression?)_entityEquality.TranslateContains(values, visitedItem!) ?? Fail(_entityEquality.TranslationErrorDetails!);
        }

        if (visitedItem is not MqlExpression translatedItem)
        {
            return Fail("The value looked up with Contains could not be translated to MQL.");
        }

        return values switch
        {
            ParameterQueryRootExpression root =>
                new MqlInExpression(translatedItem,
                    new MqlParameterExpression(root.QueryParameterExpression.Name, root.QueryParameterExpression.Type)),
            QueryParameterExpression parameter =>
                new MqlInExpression(translatedItem, new MqlParameterExpression(parameter.Name, parameter.Type)),
            InlineQueryRootExpression inline when inline.Values.All(v => v is ConstantExpression) =>
                new MqlInExpression(translatedItem,
                    new MqlConstantExpression(inline.Values.Select(v => ((ConstantExpression)v).Value).ToList(), typeof(List<object>))),
            ConstantExpression { Value: IEnumerable } constant =>
                new MqlInExpression(translatedItem, new MqlConstantExpression(constant.Value, constant.Type)),
            _ => Fail(
                "Contains needs a list given as a parameter or a constant; a list stored in the document is not searched this way yet."),
        };
    }

    /// <summary>
    /// Contains over a list written in the query, possibly filtered (<c>new[] { "a", id }.Where(e => e != null)</c>):
    /// the item equals one of the values and passes the filters (<c>Where(p).Contains(x)</c> is <c>Contains(x) &amp;&amp; p(x)</c>).
    /// <c>null</c> when the list is not one written in the query.
    /// </summary>
    private Expression? TranslateLocalContains(Expression values, Expression item)
    {
        var filters = new List<LambdaExpression>();
        while (values is MethodCallExpression { Method: { IsStatic: true, Name: nameof(Enumerable.Where) } where } call
            && (where.DeclaringType == typeof(Enumerable) || where.DeclaringType == typeof(Queryable))
            && call.Arguments.Count == 2
            && call.Arguments[1] is LambdaExpression or UnaryExpression { NodeType: ExpressionType.Quote }
            && (call.Arguments[1] is LambdaExpression direct ? direct : (LambdaExpression)((UnaryExpression)call.Arguments[1]).Operand)
                is { Parameters.Count: 1 } filter)
        {
            filters.Add(filter);
            values = UnwrapCollection(call.Arguments[0]);
        }

        if (filters.Count > 0 && values is QueryParameterExpression or ParameterQueryRootExpression
            or ConstantExpression { Value: IEnumerable })
        {
            // A list given as a parameter, filtered: $in the list, and the filters applied to the item.
            var list = values is ParameterQueryRootExpression root ? root.QueryParameterExpression : values;
            var elementType = filters[^1].Parameters[0].Type;
            var sought = item.Type == elementType ? item : Expression.Convert(item, elementType);
            Expression inList = Expression.Call(EnumerableContains.MakeGenericMethod(elementType), list, sought);
            foreach (var filter in filters)
            {
                inList = Expression.AndAlso(inList, ReplacingExpressionVisitor.Replace(filter.Parameters[0], sought, filter.Body));
            }

            return TranslatedOr(Visit(inList), "A filtered list given as a parameter could not be translated to MQL.");
        }

        IReadOnlyList<Expression>? elements = values switch
        {
            InlineQueryRootExpression inline => inline.Values,
            ListInitExpression list when list.Initializers.All(i => i.Arguments.Count == 1) =>
                list.Initializers.Select(i => i.Arguments[0]).ToList(),
            NewArrayExpression { NodeType: ExpressionType.NewArrayInit } array => array.Expressions,
            NewExpression { Arguments.Count: 0 } empty when typeof(IEnumerable).IsAssignableFrom(empty.Type) => [],
            _ => null,
        };
        if (elements is null || (filters.Count == 0 && values is InlineQueryRootExpression && elements.All(e => e is ConstantExpression)))
        {
            // A list of constants alone is an $in (below).
            return null;
        }

        Expression? test = null;
        foreach (var element in elements)
        {
            var value = element.Type == item.Type ? element : Expression.Convert(element, item.Type);
            var equal = Expression.Equal(item, value);
            test = test is null ? equal : Expression.OrElse(test, equal);
        }

        test ??= Expression.Constant(false);
        foreach (var filter in filters)
        {
            var argument = item.Type == filter.Parameters[0].Type ? item : Expression.Convert(item, filter.Parameters[0].Type);
            test = Expression.AndAlso(test, ReplacingExpressionVisitor.Replace(filter.Parameters[0], argument, filter.Body));
        }

        return TranslatedOr(Visit(test), "A list written in the query could not be translated to MQL.");
    }

    // A lambda outside the operators that take one has no MQL value (and its parameter none either).
    protected override Expression VisitLambda<T>(Expression<T> node) => Fail($"The lambda '{node}' could not be translated to MQL.");

    private static Expression UnwrapCollection(Expression values)
    {
        while (values is MethodCallExpression { Method.Name: nameof(Queryable.AsQueryable) or "op_Implicit" } call)
        {
            values = call.Arguments[0];
        }

        return values is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : values;
    }
}
