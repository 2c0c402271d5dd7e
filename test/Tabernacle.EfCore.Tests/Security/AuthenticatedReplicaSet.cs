using Tabernacle.MongoEmulator;

namespace Tabernacle.EfCore.Tests.Security;

/// <summary>
/// A 3-member emulator with authentication on, owned by one test class: user <see cref="User"/> in <c>admin</c> with
/// <see cref="Password"/>, a distinctive string that the leak tests search for everywhere.
/// </summary>
public sealed class AuthenticatedReplicaSet : IAsyncLifetime
{
    public const string User = "app";

    public const string Password = "S3cr3t-Pa55word!";

    public const string WrongPassword = "Wr0ng-Pa55word!";

    public MongoReplicaSetEmulator Emulator { get; private set; } = null!;

    /// <summary>The set's connection string with the right credentials.</summary>
    public string ConnectionString => Emulator.GetConnectionString(User, Password);

    /// <summary>The set's connection string without credentials.</summary>
    public string AnonymousConnectionString => Emulator.ConnectionString;

    public async Task InitializeAsync()
    {
        Emulator = await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions
        {
            Members = 3,
            ElectionTimeout = TimeSpan.FromMilliseconds(500),
            Authentication = new EmulatorAuthenticationOptions { Users = { new EmulatorUser(User, Password, "admin") } },
        });
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}
