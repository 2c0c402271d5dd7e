using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.ValueGeneration;
using Microsoft.Extensions.DependencyInjection;
using Tabernacle.EfCore.Diagnostics.Internal;
using Tabernacle.EfCore.Infrastructure.Internal;
using Tabernacle.EfCore.Metadata.Conventions;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Query.Internal.Translators;
using Tabernacle.EfCore.Storage.Internal;
using Tabernacle.EfCore.Update.Internal;
using Tabernacle.EfCore.ValueGeneration.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Registers the provider's EF Core services.</summary>
public static class TabernacleServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services EF Core needs to use Tabernacle. Applications don't call this: <c>UseTabernacle</c> does, through
    /// EF Core's internal service provider.
    /// </summary>
    public static IServiceCollection AddEntityFrameworkTabernacle(this IServiceCollection serviceCollection)
    {
        ArgumentNullException.ThrowIfNull(serviceCollection);
        var builder = new EntityFrameworkServicesBuilder(serviceCollection)
            .TryAdd<LoggingDefinitions, TabernacleLoggingDefinitions>()
            .TryAdd<IDatabaseProvider, DatabaseProvider<TabernacleOptionsExtension>>()
            .TryAdd<IDatabase, TabernacleDatabase>()
            .TryAdd<IExecutionStrategyFactory, TabernacleExecutionStrategyFactory>()
            .TryAdd<IDbContextTransactionManager, TabernacleTransactionManager>()
            .TryAdd<IModelValidator, TabernacleModelValidator>()
            .TryAdd<IProviderConventionSetBuilder, TabernacleConventionSetBuilder>()
            .TryAdd<IValueGeneratorSelector, TabernacleValueGeneratorSelector>()
            .TryAdd<IDatabaseCreator, TabernacleDatabaseCreator>()
            .TryAdd<IQueryContextFactory, TabernacleQueryContextFactory>()
            .TryAdd<ITypeMappingSource, TabernacleTypeMappingSource>()
            .TryAdd<IQueryableMethodTranslatingExpressionVisitorFactory, TabernacleQueryableMethodTranslatingExpressionVisitorFactory>()
            .TryAdd<IShapedQueryCompilingExpressionVisitorFactory, TabernacleShapedQueryCompilingExpressionVisitorFactory>()
            .TryAdd<IQueryCompilationContextFactory, TabernacleQueryCompilationContextFactory>()
            .TryAdd<IQueryTranslationPreprocessorFactory, TabernacleQueryTranslationPreprocessorFactory>()
            .TryAdd<IStructuralTypeMaterializerSource, TabernacleStructuralTypeMaterializerSource>()
            // So that returning a pooled context ends its session and any per-request read preference override.
            .TryAdd<IResettableService, TabernacleClientWrapper>(p => p.GetRequiredService<TabernacleClientWrapper>())
            .TryAddProviderSpecificServices(b => b
                .TryAddScoped<TabernacleClientWrapper, TabernacleClientWrapper>()
                .TryAddScoped<SaveChangesOptions, SaveChangesOptions>()
                .TryAddScoped<ExecutionAttempt, ExecutionAttempt>()
                // The MQL translators of .NET methods and members, each an explicit list; plugins add to them.
                .TryAddSingleton<IMqlMethodCallTranslatorProvider, MqlMethodCallTranslatorProvider>()
                .TryAddSingleton<IMqlMemberTranslatorProvider, MqlMemberTranslatorProvider>()
                // Counter values for store-generated integer keys first, so every later stage sees the final keys.
                .TryAddScopedEnumerable<ISaveStage, GeneratedKeysStage>()
                // The convention stages, in this order: defaults, then timestamps, then before-save hooks (which see
                // both), then validation (of exactly what will be written). After-save hooks run once the writes succeeded.
                .TryAddScopedEnumerable<ISaveStage, DefaultValuesStage>()
                .TryAddScopedEnumerable<ISaveStage, TimestampsStage>()
                .TryAddScopedEnumerable<ISaveStage, HooksStage>()
                .TryAddScopedEnumerable<ISaveStage, ValidationStage>());
        builder.TryAddCoreServices();
        return serviceCollection;
    }
}
