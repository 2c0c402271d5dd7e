using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Tabernacle.MongoEmulator;
using Tabernacle.MongoEmulator.Host;

HostOptions options;
try
{
    options = HostOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(HostOptions.Usage);
    return 0;
}

// Logs go to stderr so that stdout carries only the connection string.
using var loggerFactory = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(LogLevel.Information)
    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
    .AddSimpleConsole(console => console.SingleLine = true));

var emulatorOptions = new ReplicaSetEmulatorOptions
{
    Members = options.Members,
    BasePort = options.Port,
    ReplicaSetName = options.ReplicaSetName,
    BindAddress = options.Bind,
    ElectionTimeout = options.ElectionTimeout,
    DefaultReplicationDelay = options.ReplicationDelay,
    DefaultReadServiceTime = options.ReadServiceTime,
    DefaultMaxConcurrentReads = options.MaxConcurrentReads,
    MaxAcceptableLogicalClockDrift = options.MaxClockDrift,
    DataDirectory = options.DataDirectory,
    LoggerFactory = loggerFactory,
};
if (options.Auth)
{
    var authentication = new EmulatorAuthenticationOptions();
    try
    {
        foreach (var user in options.Users)
        {
            authentication.Users.Add(new EmulatorUser(user.Name, user.Password, user.Database));
        }
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine($"error: option '--user': {ex.Message}");
        return 2;
    }

    emulatorOptions.Authentication = authentication;
}

MongoReplicaSetEmulator emulator;
try
{
    emulator = await MongoReplicaSetEmulator.StartAsync(emulatorOptions);
}
catch (EmulatorPortInUseException ex)
{
    Console.Error.WriteLine($"error: port {ex.Port} is already in use");
    return 1;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
{
    // In use by another host, unwritable, or corrupt (the message names the file): the data is not touched.
    Console.Error.WriteLine($"error: option '--data': {ex.Message}");
    return 3;
}

await using (emulator)
{
    // Handlers go in before the connection string is printed: a script may signal as soon as it reads that line.
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });

    Console.Out.WriteLine(options.ConnectionStringFor(emulator.ConnectionString));
    Console.Out.Flush();
    var logger = loggerFactory.CreateLogger("Tabernacle.MongoEmulator.Host");
    logger.LogInformation("Replica set {Name} is up with {Members} members; primary {Primary}", emulator.ReplicaSetName,
        emulator.Members.Count, emulator.Primary?.Host);
    if (options.Auth)
    {
        logger.LogInformation("Authentication is on; users: {Users}", string.Join(", ", options.Users));
    }
    await stop.Task;
    logger.LogInformation("Stopping the replica set");
}

return 0;
