using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Benchmarks;

/// <summary>
/// SaveChanges against its bulk equivalent. Preparation (entities created, loaded and changed, or documents to delete
/// inserted) is outside the measured part; each side writes to its own database so neither sees the other's data.
/// SaveChanges of more than one document runs in a transaction by default (it is atomic, a bulk write is not); the
/// <c>NoTransaction</c> variants turn that off (<see cref="AutoTransactionBehavior.Never"/>) to do exactly the raw work.
/// </summary>
internal sealed class SaveScenarios(Fixture fixture)
{
    public const int Added = 1_000;
    public const int Changed = 100;

    private int _nextId = 1_000_000;
    private BenchContext? _context;
    private List<Customer> _customers = [];

    // 1,000 added.
    public void PrepareAdd() => _customers = Fixture.NewCustomers(Interlocked.Add(ref _nextId, Added), Added);

    public Task<int> EfAdd() => EfAdd(AutoTransactionBehavior.WhenNeeded);

    public Task<int> EfAddNoTransaction() => EfAdd(AutoTransactionBehavior.Never);

    private async Task<int> EfAdd(AutoTransactionBehavior transactions)
    {
        await using var context = fixture.Writes.CreateDbContext();
        context.Database.AutoTransactionBehavior = transactions;
        context.Customers.AddRange(_customers);
        return await context.SaveChangesAsync();
    }

    /// <summary>EF Core's share of the add: AddRange alone (the change tracker's entries, snapshots and identity map), no save.</summary>
    public Task<int> EfAddRangeOnly()
    {
        using var context = fixture.Writes.CreateDbContext();
        context.Customers.AddRange(_customers);
        return Task.FromResult(context.ChangeTracker.Entries().Count());
    }

    public async Task<int> RawAdd()
    {
        await fixture.RawWriteCustomers.InsertManyAsync(_customers);
        return _customers.Count;
    }

    // 100 modified: the provider's context has them tracked and changed; the raw side has the same objects.
    public void PrepareModifyEf() => PrepareModifyEf(AutoTransactionBehavior.WhenNeeded);

    public void PrepareModifyEfNoTransaction() => PrepareModifyEf(AutoTransactionBehavior.Never);

    private void PrepareModifyEf(AutoTransactionBehavior transactions)
    {
        SeedRaw(Fixture.EfWriteDatabase, Changed);
        _context = fixture.Writes.CreateDbContext();
        _context.Database.AutoTransactionBehavior = transactions;
        _customers = _context.Customers.ToList();
        Change(_customers);
    }

    public void PrepareModifyRaw()
    {
        SeedRaw(Fixture.RawWriteDatabase, Changed);
        _customers = fixture.RawWriteCustomers.Find(FilterDefinition<Customer>.Empty).ToList();
        Change(_customers);
    }

    public async Task<int> EfModify() => await _context!.SaveChangesAsync();

    public async Task<int> RawModify()
    {
        var updates = _customers.Select(c => (WriteModel<Customer>)new UpdateOneModel<Customer>(
            new BsonDocument("_id", c.Id),
            new BsonDocument("$set", new BsonDocument { { "Age", c.Age }, { "Balance", c.Balance } }))).ToList();
        return (int)(await fixture.RawWriteCustomers.BulkWriteAsync(updates)).ModifiedCount;
    }

    // 100 deleted.
    public void PrepareDeleteEf() => PrepareDeleteEf(AutoTransactionBehavior.WhenNeeded);

    public void PrepareDeleteEfNoTransaction() => PrepareDeleteEf(AutoTransactionBehavior.Never);

    private void PrepareDeleteEf(AutoTransactionBehavior transactions)
    {
        SeedRaw(Fixture.EfWriteDatabase, Changed);
        _context = fixture.Writes.CreateDbContext();
        _context.Database.AutoTransactionBehavior = transactions;
        _context.Customers.RemoveRange(_context.Customers.ToList());
    }

    public void PrepareDeleteRaw()
    {
        SeedRaw(Fixture.RawWriteDatabase, Changed);
        _customers = fixture.RawWriteCustomers.Find(FilterDefinition<Customer>.Empty).ToList();
    }

    public async Task<int> EfDelete() => await _context!.SaveChangesAsync();

    public async Task<int> RawDelete()
    {
        var deletes = _customers.Select(c => (WriteModel<Customer>)new DeleteOneModel<Customer>(new BsonDocument("_id", c.Id))).ToList();
        return (int)(await fixture.RawWriteCustomers.BulkWriteAsync(deletes)).DeletedCount;
    }

    /// <summary>Empties both write databases and disposes the prepared context.</summary>
    public void Clean()
    {
        _context?.Dispose();
        _context = null;
        _customers = [];
        foreach (var database in new[] { Fixture.EfWriteDatabase, Fixture.RawWriteDatabase })
        {
            fixture.Client.GetDatabase(database).GetCollection<BsonDocument>("customers").DeleteMany(FilterDefinition<BsonDocument>.Empty);
        }
    }

    private void SeedRaw(string database, int count)
    {
        var collection = fixture.Client.GetDatabase(database).GetCollection<Customer>("customers");
        collection.DeleteMany(FilterDefinition<Customer>.Empty);
        collection.InsertMany(Fixture.NewCustomers(Interlocked.Add(ref _nextId, count), count));
    }

    private static void Change(List<Customer> customers)
    {
        foreach (var customer in customers)
        {
            customer.Age++;
            customer.Balance += 1;
        }
    }
}
