using System.Globalization;
using Tabernacle.Chaos;
using Tabernacle.Testing;

// dotnet run --project test/Tabernacle.Chaos -- --seconds 60 --seed 12345
//     [--members 3] [--clients 4] [--connection <uri>] [--history <file>] [--faults k1,k2]
// Exit code: 0 no anomaly, 1 anomalies, 2 bad arguments.
var seconds = 60;
var seed = Random.Shared.Next();
var members = 3;
var clients = 4;
string? historyFile = null;
HashSet<FaultKind>? faults = null;
var connection = Environment.GetEnvironmentVariable(TestBackend.ConnectionStringVariable);
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
    try
    {
        switch (args[i])
        {
            case "--seconds": seconds = NextInt(); break;
            case "--seed": seed = NextInt(); break;
            case "--members": members = NextInt(); break;
            case "--clients": clients = NextInt(); break;
            case "--connection": connection = Next(); break;
            case "--history": historyFile = Next(); break;
            case "--faults": faults = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<FaultKind>)]; break;
            case "-h" or "--help":
                Console.WriteLine("usage: Tabernacle.Chaos [--seconds 60] [--seed N] [--members 3] [--clients 4]"
                    + " [--connection <mongodb uri>] [--history <file>] [--faults k1,k2]");
                Console.WriteLine($"  --faults k1,k2 injects only those kinds of {string.Join(",", Enum.GetNames<FaultKind>())}");
                Console.WriteLine($"  without --connection (or {TestBackend.ConnectionStringVariable}) it starts its own emulator");
                return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 2;
    }
}

var options = new ChaosOptions(
    seed, TimeSpan.FromSeconds(seconds), members, clients, string.IsNullOrWhiteSpace(connection) ? null : connection, faults);
var result = await ChaosRun.RunAsync(options, Console.WriteLine);
Console.WriteLine(result.Summary);
if (historyFile is not null)
{
    // One line per operation, then the fault log and every member's final data: enough to debug an anomaly offline.
    await File.WriteAllLinesAsync(historyFile, [.. result.History.Select(op => op.ToString()), .. result.Faults.Select(f => f.ToString()),
        .. result.Snapshots.SelectMany(m => m.Collections.Select(c => $"{m.Member} {c.Key}: {string.Join(" ", c.Value)}"))]);
}

return result.Anomalies.Count == 0 ? 0 : 1;
