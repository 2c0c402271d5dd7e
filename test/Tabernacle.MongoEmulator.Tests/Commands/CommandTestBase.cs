using MongoDB.Bson;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Commands;

/// <summary>
/// Runs bare OP_MSG commands against chosen members (no driver additions such as <c>$readPreference</c>, sessions or
/// retries), so the conformance tests see exactly what a member answers.
/// </summary>
public abstract class CommandTestBase : EmulatorTestBase
{
    /// <summary>Runs <paramref name="command"/> on <paramref name="member"/> over a fresh connection.</summary>
    protected static async Task<BsonDocument> RunOnAsync(EmulatorMember member, BsonDocument command, string database = "admin")
    {
        using var raw = await RawCommandClient.ConnectAsync(member.Port);
        return await raw.RunAsync(command, database);
    }

    protected static Task<BsonDocument> RunOnAsync(EmulatorMember member, string command, string database = "admin") =>
        RunOnAsync(member, Doc(command), database);

    /// <summary>Runs <paramref name="command"/> on the current primary.</summary>
    protected async Task<BsonDocument> RunAsync(string command, string database) =>
        await RunOnAsync(await Emulator.WaitForPrimaryAsync(), Doc(command), database);

    protected async Task<BsonDocument> RunAsync(BsonDocument command, string database) =>
        await RunOnAsync(await Emulator.WaitForPrimaryAsync(), command, database);

    /// <summary>Runs a command that must succeed and returns its reply.</summary>
    protected async Task<BsonDocument> RunOkAsync(string command, string database)
    {
        var reply = await RunAsync(command, database);
        AssertOk(reply);
        return reply;
    }

    protected EmulatorMember FirstSecondary => Emulator.Members.First(m => m.Role == EmulatorMemberRole.Secondary);

    protected static void AssertOk(BsonDocument reply) =>
        Assert.True(reply["ok"].ToDouble() == 1.0, $"expected ok:1, got {reply.ToJson()}");

    /// <summary>Asserts a command error: <c>ok: 0</c>, the code, its name and a message.</summary>
    protected static void AssertError(BsonDocument reply, int code, string codeName)
    {
        Assert.True(reply["ok"].ToDouble() == 0.0, $"expected ok:0 with code {code}, got {reply.ToJson()}");
        Assert.Equal(code, reply["code"].ToInt32());
        Assert.Equal(codeName, reply["codeName"].AsString);
        Assert.False(string.IsNullOrEmpty(reply["errmsg"].AsString));
    }

    /// <summary>The documents of a cursor's first batch.</summary>
    protected static List<BsonDocument> FirstBatch(BsonDocument reply)
    {
        AssertOk(reply);
        return reply["cursor"]["firstBatch"].AsBsonArray.Select(v => v.AsBsonDocument).ToList();
    }
}
