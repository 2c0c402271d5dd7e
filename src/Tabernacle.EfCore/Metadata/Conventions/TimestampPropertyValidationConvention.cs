using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Tabernacle.EfCore.Metadata.Conventions;

/// <summary>Rejects, when the model is finalized, <c>[AutoNowAdd]</c>/<c>[AutoNow]</c> on a property that cannot hold a time.</summary>
internal sealed class TimestampPropertyValidationConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            foreach (var property in entityType.GetDeclaredProperties())
            {
                if ((property.IsAutoNowAdd() || property.IsAutoNow()) && !IsTimeType(property.ClrType))
                {
                    throw new InvalidOperationException(
                        $"'{entityType.DisplayName()}.{property.Name}' is marked auto-now ([AutoNowAdd], [AutoNow], IsAutoNowAdd() or " +
                            $"IsAutoNow()) but its type is {property.ClrType.Name}; use DateTime or DateTimeOffset (nullable or not).");
                }
            }
        }
    }

    public static bool IsTimeType(Type clrType) =>
        (Nullable.GetUnderlyingType(clrType) ?? clrType) is var type && (type == typeof(DateTime) || type == typeof(DateTimeOffset));
}
