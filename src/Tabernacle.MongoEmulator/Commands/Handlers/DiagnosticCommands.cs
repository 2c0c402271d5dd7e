using System.Diagnostics;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>ping</c>: answers ok on any running member.</summary>
internal sealed class PingCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["ping"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context) => Task.FromResult(new BsonDocument());
}

/// <summary><c>buildInfo</c>: the emulator reports itself as MongoDB 7.0.</summary>
internal sealed class BuildInfoCommand : ICommandHandler
{
    public const string Version = "7.0.14";

    public IReadOnlyList<string> Names { get; } = ["buildInfo", "buildinfo"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context) => Task.FromResult(new BsonDocument
    {
        { "version", Version },
        { "gitVersion", "tabernacle-emulator" },
        { "modules", new BsonArray() },
        { "allocator", "system" },
        { "javascriptEngine", "none" },
        { "sysInfo", "deprecated" },
        { "versionArray", new BsonArray { 7, 0, 14, 0 } },
        { "bits", 64 },
        { "debug", false },
        { "maxBsonObjectSize", HelloCommand.MaxBsonObjectSize },
        { "storageEngines", new BsonArray { "inMemory" } },
    });
}

/// <summary><c>getParameter</c>: the few server parameters drivers and tools ask for.</summary>
internal sealed class GetParameterCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["getParameter"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var parameters = new BsonDocument
        {
            { "featureCompatibilityVersion", new BsonDocument("version", "7.0") },
            { "transactionLifetimeLimitSeconds", (int)context.Gate.TransactionLifetime.TotalSeconds },
            { "maxTransactionLockRequestTimeoutMillis", 5 },
            { "enableTestCommands", true },
            { "logLevel", 0 },
        };
        var all = context.Target is BsonString { Value: "*" }
            || (context.Target is BsonDocument options && options.GetValue("allParameters", false).ToBoolean());
        if (all)
        {
            return Task.FromResult(parameters);
        }

        var reply = new BsonDocument();
        foreach (var element in context.Command.Skip(1).Where(e => !e.Name.StartsWith('$') && e.Name is not ("lsid" or "comment")))
        {
            if (!parameters.TryGetValue(element.Name, out var value))
            {
                throw new MongoErrorException(ErrorCodes.InvalidOptions, $"no option found to get: {element.Name}");
            }

            reply[element.Name] = value;
        }

        if (reply.ElementCount == 0)
        {
            throw new MongoErrorException(ErrorCodes.InvalidOptions, "no option found to get");
        }

        return Task.FromResult(reply);
    }
}

/// <summary><c>setParameter</c>: the parameters the emulator honours (<c>transactionLifetimeLimitSeconds</c>); others are refused by
/// name.</summary>
internal sealed class SetParameterCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["setParameter"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var reply = new BsonDocument();
        foreach (var element in context.Command.Skip(1).Where(e => !e.Name.StartsWith('$') && e.Name is not ("lsid" or "comment")))
        {
            switch (element.Name)
            {
                case "transactionLifetimeLimitSeconds" when element.Value.IsNumeric && element.Value.ToDouble() >= 1:
                    var was = context.Gate.SetTransactionLifetime(TimeSpan.FromSeconds(element.Value.ToDouble()));
                    reply["was"] = (int)was.TotalSeconds;

                    break;
                case "transactionLifetimeLimitSeconds":
                    throw new MongoErrorException(ErrorCodes.BadValue, "transactionLifetimeLimitSeconds must be a number of at least 1");
                default:
                    throw new MongoErrorException(ErrorCodes.InvalidOptions,
                        $"attempted to set unrecognized parameter [{element.Name}]; the emulator supports transactionLifetimeLimitSeconds");
            }
        }

        if (!reply.Contains("was"))
        {
            throw new MongoErrorException(ErrorCodes.InvalidOptions, "no option found to set, use help:true to see options");
        }

        return Task.FromResult(reply);
    }
}

/// <summary><c>serverStatus</c>: host, uptime, <c>opcounters</c>, <c>connections</c>, <c>repl</c> and <c>mem</c>, in mongod's
/// shape.</summary>
internal sealed class ServerStatusCommand : ICommandHandler
{
    // mongod's default net.maxIncomingConnections.
    private const int MaxIncomingConnections = 1_000_000;

    public IReadOnlyList<string> Names { get; } = ["serverStatus"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var member = context.Self;
        var counters = member.OpCounters;
        var hello = HelloCommand.Build(context, legacy: false);
        var repl = new BsonDocument
        {
            { "topologyVersion", hello["topologyVersion"] },
            { "hosts", hello["hosts"] },
            { "setName", hello["setName"] },
            { "setVersion", hello["setVersion"] },
            { "isWritablePrimary", hello["isWritablePrimary"] },
            { "secondary", hello["secondary"] },
            { "me", hello["me"] },
            { "lastWrite", hello["lastWrite"] },
            { "rbid", 1 },
        };
        if (hello.TryGetValue("primary", out var primary))
        {
            repl["primary"] = primary;
        }

        if (hello.TryGetValue("electionId", out var electionId))
        {
            repl["electionId"] = electionId;
        }

        return Task.FromResult(new BsonDocument
        {
            { "host", member.Host },
            { "version", BuildInfoCommand.Version },
            { "process", "mongod" },
            { "pid", (long)Environment.ProcessId },
            { "uptime", (context.Set.UtcNow - context.Set.StartedAt).TotalSeconds },
            { "uptimeMillis", (long)(context.Set.UtcNow - context.Set.StartedAt).TotalMilliseconds },
            { "localTime", context.Set.UtcNow },
            { "opcounters", Counters(counters) },
            { "opcountersRepl", Counters(member.ReplOpCounters) },
            { "connections", Connections(context) },
            { "repl", repl },
            { "metrics", new BsonDocument("queryExecutor", new BsonDocument("scannedObjects", member.DocumentsExamined)) },
            { "mem", Memory() },
            { "tcmalloc", Allocator() },
        });
    }

    private static BsonDocument Counters(Replication.OpCounters counters) => new()
    {
        { "insert", counters.Insert },
        { "query", counters.Query },
        { "update", counters.Update },
        { "delete", counters.Delete },
        { "getmore", counters.GetMore },
        { "command", counters.Command },
    };

    // mongod's connections section; "active" counts clients with an operation running, and the awaitable hellos of
    // server monitoring are counted as mongod counts them (exhaustHello, awaitingTopologyChanges).
    private static BsonDocument Connections(CommandContext context)
    {
        var registry = context.Operations;
        var running = registry?.Running ?? [];
        var awaiting = running.Where(o => o.Command.ElementCount > 0 && o.Command.GetElement(0).Name is "hello" or "isMaster" or "ismaster"
            && o.Command.Contains("maxAwaitTimeMS")).ToList();
        var current = registry?.CurrentConnections ?? 0;
        return new BsonDocument
        {
            { "current", current },
            { "available", Math.Max(0, MaxIncomingConnections - current) },
            { "totalCreated", (int)Math.Min(int.MaxValue, registry?.TotalConnectionsCreated ?? 0) },
            { "rejected", 0 },
            { "active", running.Select(o => o.Connection.Id).Distinct().Count() },
            { "threaded", current },
            { "exhaustIsMaster", awaiting.Count(o => o.ExhaustAllowed && o.Command.GetElement(0).Name != "hello") },
            { "exhaustHello", awaiting.Count(o => o.ExhaustAllowed && o.Command.GetElement(0).Name == "hello") },
            { "awaitingTopologyChanges", awaiting.Count },
            { "loadBalanced", 0 },
        };
    }

    // Sizes in MiB as mongod reports them, for the whole process (every member of an in-process set shares it).
    // mongod reports its allocator (tcmalloc) here: bytes in use, and the heap it holds from the system. The emulator's
    // allocator is the .NET garbage collector, as of its last collection: what survived it (the heap less its free
    // space) and what the heap holds committed. The gap to mem.resident is the collector's slack, not data.
    private static BsonDocument Allocator()
    {
        var info = GC.GetGCMemoryInfo();
        return new BsonDocument
        {
            {
                "generic", new BsonDocument
                {
                    { "current_allocated_bytes", info.HeapSizeBytes - info.FragmentedBytes },
                    { "heap_size", info.TotalCommittedBytes },
                }
            },
            {
                "tcmalloc", new BsonDocument
                {
                    { "pageheap_free_bytes", info.FragmentedBytes },
                    { "total_gc_heap_bytes", info.HeapSizeBytes },
                    { "gc_index", info.Index },
                    { "gc_generation", info.Generation },
                    { "gc_compacted", info.Compacted },
                    { "gc_concurrent", info.Concurrent },
                }
            },
        };
    }

    private static BsonDocument Memory()
    {
        using var process = Process.GetCurrentProcess();
        return new BsonDocument
        {
            { "bits", 64 },
            { "resident", (int)(process.WorkingSet64 / (1024 * 1024)) },
            { "virtual", (int)(process.VirtualMemorySize64 / (1024 * 1024)) },
            { "supported", true },
        };
    }
}

/// <summary>
/// <c>refreshSessions</c> and <c>startSession</c>: sessions are implicit in the emulator, so these only acknowledge
/// (ending and killing sessions is <see cref="SessionCleanupCommands"/>).
/// </summary>
internal sealed class SessionCommands : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["refreshSessions", "startSession"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        if (context.CommandName == "startSession")
        {
            return Task.FromResult(new BsonDocument
            {
                { "id", new BsonDocument("id",
                    new BsonBinaryData(Guid.NewGuid().ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard)) },
                { "timeoutMinutes", 30 },
            });
        }

        return Task.FromResult(new BsonDocument());
    }
}
