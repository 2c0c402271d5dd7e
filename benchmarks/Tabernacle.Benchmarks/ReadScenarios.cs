using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Benchmarks;

/// <summary>
/// Each read twice: through the provider (a pooled context per operation, as a web request would use it) and by hand
/// with MongoDB.Driver (typed collection, class map, filters written as BSON). Both return the same objects.
/// </summary>
internal sealed class ReadScenarios(Fixture fixture)
{
    private static readonly PipelineDefinition<Customer, CityTotal> GroupPipeline = new BsonDocument[]
    {
        new("$group", new BsonDocument { { "_id", "$City" }, { "Total", new BsonDocument("$sum", "$Balance") } }),
    };

    private static readonly ProjectionDefinition<Customer, CustomerDto> DtoProjection =
        new BsonDocument { { "Name", 1 }, { "City", 1 }, { "_id", 0 } };

    private int _key;

    private int NextKey() => _key = (_key % Fixture.CustomerCount) + 1;

    // Where + OrderBy + Take(100).
    public async Task<int> EfWhereOrderByTakeTracked()
    {
        var minAge = 30;
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.Where(c => c.Age > minAge).OrderBy(c => c.Name).Take(100).ToListAsync()).Count;
    }

    public async Task<int> EfWhereOrderByTakeNoTracking()
    {
        var minAge = 30;
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.AsNoTracking().Where(c => c.Age > minAge).OrderBy(c => c.Name).Take(100).ToListAsync()).Count;
    }

    public async Task<int> RawWhereOrderByTake()
    {
        var minAge = 30;
        var filter = new BsonDocument("Age", new BsonDocument("$gt", minAge));
        return (await fixture.RawCustomers.Find(filter).Sort(new BsonDocument("Name", 1)).Limit(100).ToListAsync()).Count;
    }

    // 1,000 entities.
    public async Task<int> EfToListAll()
    {
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.AsNoTracking().ToListAsync()).Count;
    }

    public async Task<int> RawToListAll() =>
        (await fixture.RawCustomers.Find(FilterDefinition<Customer>.Empty).ToListAsync()).Count;

    // 1,000 entities, tracked: the change tracker's cost on top of the no-tracking read.
    public async Task<int> EfToListAllTracked()
    {
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.ToListAsync()).Count;
    }

    // 2,000 documents of 35 fields.
    public async Task<int> EfToListWide()
    {
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.WideRecords.AsNoTracking().ToListAsync()).Count;
    }

    public async Task<int> RawToListWide() =>
        (await fixture.RawWide.Find(FilterDefinition<WideRecord>.Empty).ToListAsync()).Count;

    // First by key.
    public async Task<int> EfFirstByKey()
    {
        var id = NextKey();
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.AsNoTracking().FirstAsync(c => c.Id == id)).Age;
    }

    // The same query compiled once (EF.CompileAsyncQuery): what First by key costs without EF Core's per-call LINQ
    // pipeline (parameter extraction and the compiled-query cache lookup), so the provider's own share shows.
    private static readonly Func<BenchContext, int, Task<Customer>> CompiledFirstByKey =
        EF.CompileAsyncQuery((BenchContext context, int id) => context.Customers.AsNoTracking().First(c => c.Id == id));

    public async Task<int> EfFirstByKeyCompiled()
    {
        var id = NextKey();
        await using var context = fixture.Reads.CreateDbContext();
        return (await CompiledFirstByKey(context, id)).Age;
    }

    public async Task<int> RawFirstByKey()
    {
        var id = NextKey();
        return (await fixture.RawCustomers.Find(new BsonDocument("_id", id)).FirstAsync()).Age;
    }

    // Find (always tracking: it looks in the context first, then queries).
    public async Task<int> EfFind()
    {
        var id = NextKey();
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.FindAsync(id))!.Age;
    }

    // Count with a filter.
    public async Task<int> EfCount()
    {
        var city = "Oslo";
        await using var context = fixture.Reads.CreateDbContext();
        return await context.Customers.CountAsync(c => c.City == city && c.Active);
    }

    public async Task<int> RawCount()
    {
        var city = "Oslo";
        return (int)await fixture.RawCustomers.CountDocumentsAsync(new BsonDocument { { "City", city }, { "Active", true } });
    }

    // Select to a DTO.
    public async Task<int> EfSelectDto()
    {
        var minAge = 50;
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.Where(c => c.Age > minAge).Select(c =>
            new CustomerDto { Name = c.Name, City = c.City }).ToListAsync()).Count;
    }

    public async Task<int> RawSelectDto()
    {
        var minAge = 50;
        return (await fixture.RawCustomers.Find(new BsonDocument("Age", new BsonDocument("$gt", minAge))).Project(
            DtoProjection).ToListAsync()).Count;
    }

    // GroupBy with Sum.
    public async Task<int> EfGroupBySum()
    {
        await using var context = fixture.Reads.CreateDbContext();
        return (await context.Customers.GroupBy(c => c.City).Select(g =>
            new CityTotal { City = g.Key, Total = g.Sum(c => c.Balance) }).ToListAsync()).Count;
    }

    public async Task<int> RawGroupBySum() =>
        (await fixture.RawCustomers.Aggregate(GroupPipeline).ToListAsync()).Count;

    // Include of a reference.
    public async Task<int> EfInclude()
    {
        var minTotal = 500.0;
        await using var context = fixture.Reads.CreateDbContext();
        var orders =
            await context.Orders.AsNoTracking().Include(o => o.Customer).Where(o => o.Total > minTotal).OrderBy(o =>
                o.Id).Take(100).ToListAsync();
        return orders.Count(o => o.Customer is not null);
    }

    public async Task<int> RawInclude()
    {
        var minTotal = 500.0;
        PipelineDefinition<Order, Order> pipeline = new BsonDocument[]
        {
            new("$match", new BsonDocument("Total", new BsonDocument("$gt", minTotal))),
            new("$sort", new BsonDocument("_id", 1)),
            new("$limit", 100),
            new("$lookup",
                new BsonDocument { { "from", "customers" }, { "localField", "CustomerId" }, { "foreignField", "_id" },
                    { "as", "Customer" } }),
            new("$unwind", new BsonDocument { { "path", "$Customer" }, { "preserveNullAndEmptyArrays", true } }),
        };
        var orders = await fixture.RawOrders.Aggregate(pipeline).ToListAsync();
        return orders.Count(o => o.Customer is not null);
    }

    // Translation: the same query as a new shape (compiled-query cache emptied first) and cached.
    public Task<int> EfCachedShape() => EfWhereOrderByTakeNoTracking();

    public async Task<int> EfNewShape()
    {
        await using (var context = fixture.Reads.CreateDbContext())
        {
            // EF Core keeps compiled queries in the IMemoryCache of its internal service provider: empty it so the next
            // execution translates the shape again, as the first execution of a new shape does.
            ((MemoryCache)context.GetService<IMemoryCache>()).Clear();
        }

        return await EfWhereOrderByTakeNoTracking();
    }
}
