namespace Tabernacle.MongoEmulator.Tests.Wire;

/// <summary>A port that another emulator already listens on is refused, on Linux too, and a stopped member's port is free again.</summary>
public sealed class PortInUseTests : EmulatorTestBase
{
    protected override ReplicaSetEmulatorOptions Options => new() { Members = 1 };

    [Fact]
    public async Task A_second_emulator_on_a_taken_port_is_refused_with_EmulatorPortInUseException()
    {
        var port = Emulator.Members[0].Port;
        var ex = await Assert.ThrowsAsync<EmulatorPortInUseException>(async () =>
        {
            await using var second =
                await MongoReplicaSetEmulator.StartAsync(new ReplicaSetEmulatorOptions { Members = 1, BasePort = port });
        });
        Assert.Equal(port, ex.Port);
    }

    [Fact]
    public async Task A_stopped_member_listens_on_its_port_again_after_a_restart()
    {
        var member = Emulator.Members[0];
        var port = member.Port;
        await Client.GetDatabase("ports").GetCollection<MongoDB.Bson.BsonDocument>("items").InsertOneAsync(
            new MongoDB.Bson.BsonDocument("x", 1));
        await member.StopAsync();
        await member.StartAsync();
        Assert.Equal(port, member.Port);
        await Emulator.WaitForPrimaryAsync();
        using var client = CreateClient();
        Assert.Equal(1, await client.GetDatabase("ports").GetCollection<MongoDB.Bson.BsonDocument>("items")
            .CountDocumentsAsync(MongoDB.Bson.BsonDocument.Parse("{}")));
    }
}
