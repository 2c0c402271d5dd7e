using System.Globalization;

namespace Tabernacle.MongoEmulator.Host;

/// <summary>The host's command line, parsed.</summary>
internal sealed record HostOptions(int Members, int Port, string ReplicaSetName, string Bind, TimeSpan ElectionTimeout,
    TimeSpan ReplicationDelay, bool ShowHelp)
{
    /// <summary>Whether <c>--auth</c> was given: clients must authenticate as one of <see cref="Users"/>.</summary>
    public bool Auth { get; init; }

    /// <summary><c>--read-service-ms</c>: simulated service time of every read command on every member.</summary>
    public TimeSpan ReadServiceTime { get; init; }

    /// <summary><c>--read-concurrency</c>: reads each member serves at once (0 = unlimited).</summary>
    public int MaxConcurrentReads { get; init; }

    /// <summary><c>--setParameter maxAcceptableLogicalClockDriftSecs=n</c>: how far ahead of the wall clock a gossiped cluster time may
    /// be.</summary>
    public TimeSpan MaxClockDrift { get; init; } = TimeSpan.FromDays(365);

    /// <summary><c>--database</c>: the database named in the printed connection string (none by default).</summary>
    public string? Database { get; init; }

    /// <summary>The connection string to print: the set's, with <see cref="Database"/> as its path when given.</summary>
    public string ConnectionStringFor(string setConnectionString) =>
        Database is null ? setConnectionString : setConnectionString.Replace("/?", $"/{Database}?", StringComparison.Ordinal);

    /// <summary><c>--data</c>: the folder that keeps the set's data across restarts (in memory when <c>null</c>).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The <c>--user</c> options, in order.</summary>
    public IReadOnlyList<HostUser> Users { get; init; } = [];

    public const string Usage = """
        Tabernacle MongoDB replica-set emulator: an in-process MongoDB 7.0 replica set on loopback, for tests and demos.

        Usage: tabernacle-mongo [options]
           (from a clone of the repository: dotnet run --project src/Tabernacle.MongoEmulator.Host -- [options])

        Options:
          --members <n>              Number of members, 1 to 7 (default 3).
          --port <port>              Port of the first member; the others take the following ports (default 27017).
                                     0 picks free ephemeral ports.
          --replSet <name>           Replica set name (default rs0).
          --bind <address>           Address to listen on (default 127.0.0.1).
          --election-timeout-ms <n>  Time without a primary before an election (default 1000).
          --delay-ms <n>             Replication delay of every secondary in milliseconds (default 5).
          --read-service-ms <n>      Simulated capacity: every read command (find, aggregate, count, getMore, ...)
                                     occupies a read slot of its member for n more milliseconds (default 0).
          --read-concurrency <n>     Simulated capacity: reads each member serves at once; the rest queue, so a
                                     member saturates as a real server does (default 0 = unlimited).
          --auth                     Require authentication (SCRAM-SHA-256 or SCRAM-SHA-1), as mongod --auth does.
                                     Needs at least one --user.
          --user <name:password[@db]>
                                     A user clients may authenticate as (repeatable), in database db (default
                                     admin; clients pass it as authSource). If the password contains '@', always
                                     give the database: app:p@ss@admin. Only SCRAM keys are kept; the password is
                                     never logged, but the command line is visible to other local processes.
          --data <dir>               Keep the set's data in <dir> across restarts (created if missing): every
                                     member journals its documents, indexes, oplog and term there, and an
                                     acknowledged write is on disk before it is acknowledged. Start again with
                                     the same --data, --replSet and --members to get the data back. Default:
                                     in memory, gone when the host stops.
          --database <name>          Put this database in the printed connection string (its path, as UseTabernacle
                                     and AddTabernacle expect it); default: none.
          --setParameter maxAcceptableLogicalClockDriftSecs=<n>
                                     As mongod's parameter: a $clusterTime gossiped by a client more than n seconds
                                     ahead of the wall clock is refused (default 31536000, one year).
          -h, --help                 Show this help.

        The first line on stdout is the connection string (without credentials: add user:password@ and
        &authSource=<db> when --auth is on); logs go to stderr. Ctrl+C or SIGTERM stops the set.
        Exit codes: 0 after a stop, 1 when a port is taken, 2 for a bad option, 3 when the --data directory cannot
        be used (another host holds it, it is corrupt, or it cannot be written).
        """;

    public static HostOptions Parse(string[] args)
    {
        var options = new HostOptions(3, 27017, "rs0", "127.0.0.1", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(5), false);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    return options with { ShowHelp = true };
                case "--members":
                    options = options with { Members = Int(arg, Next(args, ref i), 1, 7) };
                    break;
                case "--port":
                    options = options with { Port = Int(arg, Next(args, ref i), 0, 65535) };
                    break;
                case "--replSet":
                    options = options with { ReplicaSetName = Next(args, ref i) };
                    break;
                case "--bind":
                    options = options with { Bind = Next(args, ref i) };
                    break;
                case "--election-timeout-ms":
                    options = options with { ElectionTimeout = TimeSpan.FromMilliseconds(Int(arg, Next(args, ref i), 1, 600_000)) };
                    break;
                case "--read-service-ms":
                    options = options with { ReadServiceTime = TimeSpan.FromMilliseconds(Int(arg, Next(args, ref i), 0, 600_000)) };
                    break;
                case "--read-concurrency":
                    options = options with { MaxConcurrentReads = Int(arg, Next(args, ref i), 0, 100_000) };
                    break;
                case "--auth":
                    options = options with { Auth = true };
                    break;
                case "--user":
                    options = options with { Users = [.. options.Users, HostUser.Parse(Next(args, ref i))] };
                    break;
                case "--data":
                    options = options with { DataDirectory = DataDirectoryPath(Next(args, ref i)) };
                    break;
                case "--database":
                    options = options with { Database = DatabaseName(Next(args, ref i)) };
                    break;
                case "--setParameter":
                    options = SetParameter(options, Next(args, ref i));
                    break;
                case "--delay-ms":
                    options = options with { ReplicationDelay = TimeSpan.FromMilliseconds(Int(arg, Next(args, ref i), 0, 3_600_000)) };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{arg}'; run with --help to list the options");
            }
        }

        if (options.Auth && options.Users.Count == 0)
        {
            throw new ArgumentException(
                "option '--auth' needs at least one user: add --user <name:password[@db]>, for example --user app:secret@admin");
        }

        if (!options.Auth && options.Users.Count > 0)
        {
            throw new ArgumentException("option '--user' only applies with --auth: add --auth to require authentication");
        }

        return options;
    }

    // mongod's own syntax, so a command line written for mongod's test setups reads the same here.
    private static HostOptions SetParameter(HostOptions options, string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? assignment : assignment[..equals];
        if (equals < 0)
        {
            throw new ArgumentException($"option '--setParameter' needs name=value, not '{assignment}'");
        }

        return name switch
        {
            "maxAcceptableLogicalClockDriftSecs" => options with
            {
                MaxClockDrift = TimeSpan.FromSeconds(Int("--setParameter " + name, assignment[(equals + 1)..], 1, int.MaxValue)),
            },
            _ => throw new ArgumentException(
                $"unknown parameter '{name}' for '--setParameter'; the emulator supports maxAcceptableLogicalClockDriftSecs"),
        };
    }

    // MongoDB's rules for a database name; one that breaks them would make the printed connection string unusable.
    private static string DatabaseName(string name)
    {
        if (name.Length is 0 or > 63 || name.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0', '?', '#', ':']) >= 0)
        {
            throw new ArgumentException(
                $"option '--database' needs a MongoDB database name (1 to 63 characters, none of /\\. \"$?#:), not '{name}'");
        }

        return name;
    }

    private static string DataDirectoryPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            throw new ArgumentException($"option '--data' needs a folder path, not '{path}'");
        }

        return path;
    }

    private static string Next(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new ArgumentException($"option '{args[i]}' needs a value");
        }

        return args[++i];
    }

    private static int Int(string option, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new ArgumentException($"option '{option}' needs a whole number from {min} to {max}, not '{value}'");
        }

        return number;
    }
}

/// <summary>One <c>--user name:password[@db]</c>. <see cref="ToString"/> leaves the password out.</summary>
internal sealed record HostUser(string Name, string Password, string Database)
{
    public static HostUser Parse(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            throw new ArgumentException("option '--user' needs name:password or name:password@db");
        }

        var name = value[..colon];
        var rest = value[(colon + 1)..];
        var at = rest.LastIndexOf('@');
        var password = at < 0 ? rest : rest[..at];
        var database = at < 0 ? "admin" : rest[(at + 1)..];
        if (password.Length == 0 || database.Length == 0)
        {
            throw new ArgumentException("option '--user' needs a non-empty password and database: name:password[@db]");
        }

        return new HostUser(name, password, database);
    }

    public override string ToString() => $"{Name}@{Database}";
}
