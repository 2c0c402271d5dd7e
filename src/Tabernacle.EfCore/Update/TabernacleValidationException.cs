using System.Globalization;
using System.Text;

namespace Tabernacle.EfCore;

/// <summary>
/// Thrown by <c>SaveChanges</c> when DataAnnotations validation of the added and modified entities (and their owned
/// documents) failed. Nothing was written. <see cref="Failures"/> lists every failure; turn validation off with
/// <c>UseTabernacle(..., o =&gt; o.ValidateOnSave(false))</c>.
/// </summary>
public sealed class TabernacleValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="failures"/>.</summary>
    public TabernacleValidationException(IReadOnlyList<TabernacleValidationFailure> failures)
        : base(Describe(failures ?? throw new ArgumentNullException(nameof(failures))))
    {
        Failures = failures;
    }

    /// <summary>Creates the exception with a message and no failures.</summary>
    public TabernacleValidationException()
        : this([])
    {
    }

    /// <summary>Creates the exception with a message and no failures.</summary>
    public TabernacleValidationException(string message)
        : base(message)
    {
        Failures = [];
    }

    /// <summary>Creates the exception with a message, an inner exception and no failures.</summary>
    public TabernacleValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failures = [];
    }

    /// <summary>Every failure, in the order the entities were validated.</summary>
    public IReadOnlyList<TabernacleValidationFailure> Failures { get; }

    private static string Describe(IReadOnlyList<TabernacleValidationFailure> failures)
    {
        var builder =
            new StringBuilder().Append(CultureInfo.InvariantCulture, $"Validation failed; nothing was saved. {failures.Count} failure(s):");
        foreach (var failure in failures)
        {
            builder.AppendLine().Append("  ").Append(failure);
        }

        return builder.ToString();
    }
}

/// <summary>One validation failure of one entity.</summary>
public sealed class TabernacleValidationFailure
{
    /// <summary>Creates a failure.</summary>
    /// <param name="entity">The entity that failed.</param>
    /// <param name="entityTypeName">The entity type's display name (for an owned type, with its owner:
    /// <c>Order.Lines#OrderLine</c>).</param>
    /// <param name="key">The entity's key values by property name.</param>
    /// <param name="memberNames">The members the failure is about (empty for an object-level failure).</param>
    /// <param name="errorMessage">The validation message.</param>
    public TabernacleValidationFailure(object entity, string entityTypeName, IReadOnlyDictionary<string, object?> key,
        IReadOnlyList<string> memberNames, string errorMessage)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(entityTypeName);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(memberNames);
        Entity = entity;
        EntityTypeName = entityTypeName;
        Key = key;
        MemberNames = memberNames;
        ErrorMessage = errorMessage ?? "";
    }

    /// <summary>The entity that failed.</summary>
    public object Entity { get; }

    /// <summary>The entity type's display name.</summary>
    public string EntityTypeName { get; }

    /// <summary>The entity's key values by property name.</summary>
    public IReadOnlyDictionary<string, object?> Key { get; }

    /// <summary>The members the failure is about (empty for an object-level failure).</summary>
    public IReadOnlyList<string> MemberNames { get; }

    /// <summary>The validation message.</summary>
    public string ErrorMessage { get; }

    /// <summary><c>Product {Id: 65a..}: Name: The Name field is required.</c></summary>
    public override string ToString()
    {
        var key = string.Join(", ", Key.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key}: {k.Value ?? "null"}")));
        var members = MemberNames.Count == 0 ? "" : string.Join(", ", MemberNames) + ": ";
        return $"{EntityTypeName} {{{key}}}: {members}{ErrorMessage}";
    }
}
