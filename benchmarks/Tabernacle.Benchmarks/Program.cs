using BenchmarkDotNet.Running;
using Tabernacle.Benchmarks;

// --quick: Stopwatch loops and a short read-scaling run, under 3 minutes.
// --scaling: the read-scaling simulation only (10 s per read preference).
// no arguments: the full BenchmarkDotNet suite (reads, then saves), then the read-scaling simulation.
// --emulator-scaling [--quick] [--million]: the emulator's time per operation and memory per document at 1k..100k (1M).
// --emulator-memory [--documents N] [--hold S]: the emulator's memory per document at one size (default 1M), no timings.
// --alloc-profile [reads|saves]: bytes per run by type (runtime allocation samples) for a few read and save pairs.
// anything else: passed to BenchmarkDotNet (for example --filter *Include*).
if (args.Contains("--emulator-scaling"))
{
    return await EmulatorScaling.RunAsync(Console.Out, million: args.Contains("--million"), quick: args.Contains("--quick"));
}

if (args.Contains("--emulator-memory"))
{
    return await EmulatorMemory.RunAsync(Console.Out, args);
}

if (args.Contains("--alloc-profile"))
{
    var only = args.SkipWhile(a => a != "--alloc-profile").Skip(1).FirstOrDefault(a => a is "reads" or "saves");
    return await AllocationProfile.RunAsync(Console.Out, only);
}

if (args.Contains("--quick"))
{
    return await QuickMode.RunAsync(Console.Out);
}

if (args.Contains("--scaling") || args.Length == 0)
{
    if (args.Length == 0)
    {
        BenchmarkRunner.Run<ReadBenchmarks>();
        BenchmarkRunner.Run<SaveBenchmarks>();
    }

    Console.WriteLine(
        $"Read scaling (SIMULATION: each member serves {ReadScaling.ConcurrencyPerMember} reads at once, {ReadScaling.ServiceTimeMs} ms " +
            $"each; {ReadScaling.Workers} concurrent readers):");
    var results = await ReadScaling.RunAsync(TimeSpan.FromSeconds(10), Console.Out);
    foreach (var result in results.Skip(1))
    {
        Console.WriteLine(
            FormattableString.Invariant($"  {result.Mode} / primary throughput: {result.ReadsPerSecond / results[0].ReadsPerSecond:F2}x"));
    }

    return 0;
}

BenchmarkSwitcher.FromTypes(
    [typeof(ReadBenchmarks), typeof(SaveBenchmarks), typeof(EmulatorScalingBenchmarks), typeof(EmulatorPersistenceBenchmarks)])
    .Run(args);
return 0;
