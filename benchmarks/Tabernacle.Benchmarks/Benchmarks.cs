using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Tabernacle.Benchmarks;

/// <summary>
/// Reads: the provider against the raw driver, one category per query, the raw driver the baseline of each, so the
/// Ratio and Alloc Ratio columns are provider / raw. The emulator runs as a separate process.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ReadBenchmarks
{
    private Fixture _fixture = null!;
    private ReadScenarios _reads = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = Fixture.Start();
        _reads = new ReadScenarios(_fixture);
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory("WhereOrderByTake100 tracked")]
    public Task<int> Raw_WhereOrderByTake_ForTracked() => _reads.RawWhereOrderByTake();

    [Benchmark, BenchmarkCategory("WhereOrderByTake100 tracked")]
    public Task<int> Ef_WhereOrderByTake_Tracked() => _reads.EfWhereOrderByTakeTracked();

    [Benchmark(Baseline = true), BenchmarkCategory("WhereOrderByTake100 no-tracking")]
    public Task<int> Raw_WhereOrderByTake() => _reads.RawWhereOrderByTake();

    [Benchmark, BenchmarkCategory("WhereOrderByTake100 no-tracking")]
    public Task<int> Ef_WhereOrderByTake_NoTracking() => _reads.EfWhereOrderByTakeNoTracking();

    [Benchmark(Baseline = true), BenchmarkCategory("ToList 1,000")]
    public Task<int> Raw_ToList1000() => _reads.RawToListAll();

    [Benchmark, BenchmarkCategory("ToList 1,000")]
    public Task<int> Ef_ToList1000() => _reads.EfToListAll();

    [Benchmark(Baseline = true), BenchmarkCategory("ToList 1,000 tracked")]
    public Task<int> Raw_ToList1000_ForTracked() => _reads.RawToListAll();

    [Benchmark, BenchmarkCategory("ToList 1,000 tracked")]
    public Task<int> Ef_ToList1000_Tracked() => _reads.EfToListAllTracked();

    [Benchmark(Baseline = true), BenchmarkCategory("ToList 2,000 x 35 fields")]
    public Task<int> Raw_ToListWide() => _reads.RawToListWide();

    [Benchmark, BenchmarkCategory("ToList 2,000 x 35 fields")]
    public Task<int> Ef_ToListWide() => _reads.EfToListWide();

    [Benchmark(Baseline = true), BenchmarkCategory("First by key")]
    public Task<int> Raw_FirstByKey() => _reads.RawFirstByKey();

    [Benchmark, BenchmarkCategory("First by key")]
    public Task<int> Ef_FirstByKey() => _reads.EfFirstByKey();

    [Benchmark(Baseline = true), BenchmarkCategory("Find")]
    public Task<int> Raw_FindById() => _reads.RawFirstByKey();

    [Benchmark, BenchmarkCategory("Find")]
    public Task<int> Ef_Find() => _reads.EfFind();

    [Benchmark(Baseline = true), BenchmarkCategory("Count with filter")]
    public Task<int> Raw_Count() => _reads.RawCount();

    [Benchmark, BenchmarkCategory("Count with filter")]
    public Task<int> Ef_Count() => _reads.EfCount();

    [Benchmark(Baseline = true), BenchmarkCategory("Select to DTO")]
    public Task<int> Raw_SelectDto() => _reads.RawSelectDto();

    [Benchmark, BenchmarkCategory("Select to DTO")]
    public Task<int> Ef_SelectDto() => _reads.EfSelectDto();

    [Benchmark(Baseline = true), BenchmarkCategory("GroupBy Sum")]
    public Task<int> Raw_GroupBySum() => _reads.RawGroupBySum();

    [Benchmark, BenchmarkCategory("GroupBy Sum")]
    public Task<int> Ef_GroupBySum() => _reads.EfGroupBySum();

    [Benchmark(Baseline = true), BenchmarkCategory("Include reference")]
    public Task<int> Raw_Include() => _reads.RawInclude();

    [Benchmark, BenchmarkCategory("Include reference")]
    public Task<int> Ef_Include() => _reads.EfInclude();

    [Benchmark(Baseline = true), BenchmarkCategory("Query shape")]
    public Task<int> Raw_SameQuery() => _reads.RawWhereOrderByTake();

    [Benchmark, BenchmarkCategory("Query shape")]
    public Task<int> Ef_CachedShape() => _reads.EfCachedShape();

    [Benchmark, BenchmarkCategory("Query shape")]
    public Task<int> Ef_NewShape_FirstExecution() => _reads.EfNewShape();
}

/// <summary>
/// SaveChanges against the bulk write doing the same work. One operation per iteration, prepared by an iteration
/// setup that is not measured (these operations take milliseconds, so the per-iteration overhead does not matter).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 20, invocationCount: 1)]
public class SaveBenchmarks
{
    private Fixture _fixture = null!;
    private SaveScenarios _saves = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = Fixture.Start();
        _saves = new SaveScenarios(_fixture);
    }

    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    [IterationSetup(Targets = [nameof(Raw_InsertMany1000), nameof(Ef_SaveChanges_Add1000), nameof(Ef_SaveChanges_Add1000_NoTransaction)])]
    public void PrepareAdd() => _saves.PrepareAdd();

    [IterationSetup(Target = nameof(Raw_BulkUpdate100))]
    public void PrepareModifyRaw() => _saves.PrepareModifyRaw();

    [IterationSetup(Target = nameof(Ef_SaveChanges_Modify100))]
    public void PrepareModifyEf() => _saves.PrepareModifyEf();

    [IterationSetup(Target = nameof(Ef_SaveChanges_Modify100_NoTransaction))]
    public void PrepareModifyEfNoTransaction() => _saves.PrepareModifyEfNoTransaction();

    [IterationSetup(Target = nameof(Ef_SaveChanges_Delete100_NoTransaction))]
    public void PrepareDeleteEfNoTransaction() => _saves.PrepareDeleteEfNoTransaction();

    [IterationSetup(Target = nameof(Raw_BulkDelete100))]
    public void PrepareDeleteRaw() => _saves.PrepareDeleteRaw();

    [IterationSetup(Target = nameof(Ef_SaveChanges_Delete100))]
    public void PrepareDeleteEf() => _saves.PrepareDeleteEf();

    [IterationCleanup]
    public void Clean() => _saves.Clean();

    [Benchmark(Baseline = true), BenchmarkCategory("Save 1,000 added")]
    public Task<int> Raw_InsertMany1000() => _saves.RawAdd();

    [Benchmark, BenchmarkCategory("Save 1,000 added")]
    public Task<int> Ef_SaveChanges_Add1000() => _saves.EfAdd();

    [Benchmark, BenchmarkCategory("Save 1,000 added")]
    public Task<int> Ef_SaveChanges_Add1000_NoTransaction() => _saves.EfAddNoTransaction();

    [Benchmark(Baseline = true), BenchmarkCategory("Save 100 modified")]
    public Task<int> Raw_BulkUpdate100() => _saves.RawModify();

    [Benchmark, BenchmarkCategory("Save 100 modified")]
    public Task<int> Ef_SaveChanges_Modify100() => _saves.EfModify();

    [Benchmark, BenchmarkCategory("Save 100 modified")]
    public Task<int> Ef_SaveChanges_Modify100_NoTransaction() => _saves.EfModify();

    [Benchmark(Baseline = true), BenchmarkCategory("Save 100 deleted")]
    public Task<int> Raw_BulkDelete100() => _saves.RawDelete();

    [Benchmark, BenchmarkCategory("Save 100 deleted")]
    public Task<int> Ef_SaveChanges_Delete100() => _saves.EfDelete();

    [Benchmark, BenchmarkCategory("Save 100 deleted")]
    public Task<int> Ef_SaveChanges_Delete100_NoTransaction() => _saves.EfDelete();
}
