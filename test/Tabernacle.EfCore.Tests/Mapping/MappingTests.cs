using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using static Tabernacle.EfCore.Tests.Mapping.Documents;

namespace Tabernacle.EfCore.Tests.Mapping;

internal static class Documents
{
    /// <summary>The same elements with the same values, in any order (EF Core orders properties by name, not declaration).</summary>
    public static void AssertElements(BsonDocument expected, BsonValue actual)
    {
        var document = Assert.IsType<BsonDocument>(actual);
        Assert.Equal(expected.Names.Order(StringComparer.Ordinal), document.Names.Order(StringComparer.Ordinal));
        foreach (var element in expected)
        {
            if (element.Value is BsonDocument nested)
            {
                AssertElements(nested, document[element.Name]);
            }
            else
            {
                Assert.Equal(element.Value, document[element.Name]);
            }
        }
    }
}

public sealed class KeyMappingTests : ProviderTestBase<MappingContext>
{
    private async Task<BsonDocument> StoredAsync(string collection) =>
        await RawCollection(collection).Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();

    [Fact]
    public async Task ObjectId_key_named_Id_is_generated_on_Add_and_stored_as_id()
    {
        await using var db = CreateContext();
        var entity = new ObjectIdKeyed { Name = "a" };
        db.Add(entity);
        Assert.NotEqual(ObjectId.Empty, entity.Id);
        await db.SaveChangesAsync();
        var stored = await StoredAsync("objectidkeyeds");
        Assert.Equal(new BsonObjectId(entity.Id), stored["_id"]);
        Assert.False(stored.Contains("Id"));
        await using var read = CreateContext();
        Assert.Equal("a", (await read.ObjectIdKeyed.SingleAsync(e => e.Id == entity.Id)).Name);
    }

    [Fact]
    public async Task Type_name_Id_key_is_the_id()
    {
        await using (var db = CreateContext())
        {
            db.Add(new Widget { WidgetId = 7, Name = "w" });
            await db.SaveChangesAsync();
        }

        var stored = await StoredAsync("widgets");
        Assert.Equal(new BsonInt32(7), stored["_id"]);
        Assert.False(stored.Contains("WidgetId"));
        await using var read = CreateContext();
        Assert.Equal("w", (await read.Widgets.FindAsync(7))!.Name);
    }

    [Fact]
    public async Task Key_attribute_string_is_stored_as_a_string()
    {
        await using (var db = CreateContext())
        {
            db.Add(new StringKeyed { Code = "X-1", Name = "s" });
            await db.SaveChangesAsync();
        }

        var stored = await StoredAsync("stringkeyeds");
        Assert.Equal(new BsonString("X-1"), stored["_id"]);
        await using var read = CreateContext();
        Assert.Equal("s", (await read.StringKeyed.SingleAsync(e => e.Code == "X-1")).Name);
    }

    [Fact]
    public async Task String_with_BsonRepresentation_ObjectId_is_generated_and_stored_as_an_ObjectId()
    {
        var entity = new ObjectIdStringKeyed { Name = "o" };
        await using (var db = CreateContext())
        {
            db.Add(entity);
            Assert.True(ObjectId.TryParse(entity.Id, out _));
            await db.SaveChangesAsync();
        }

        var stored = await StoredAsync("objectidstringkeyeds");
        Assert.Equal(BsonType.ObjectId, stored["_id"].BsonType);
        Assert.Equal(entity.Id, stored["_id"].AsObjectId.ToString());
        await using var read = CreateContext();
        Assert.Equal("o", (await read.ObjectIdStringKeyed.SingleAsync(e => e.Id == entity.Id)).Name);
        Assert.Equal("o", (await read.ObjectIdStringKeyed.FindAsync(entity.Id))!.Name);
    }

    [Fact]
    public async Task Guid_key_is_generated_and_stored_in_the_standard_representation()
    {
        var entity = new GuidKeyed { Name = "g" };
        await using (var db = CreateContext())
        {
            db.Add(entity);
            Assert.NotEqual(Guid.Empty, entity.Id);
            await db.SaveChangesAsync();
        }

        var stored = await StoredAsync("guidkeyeds");
        var binary = stored["_id"].AsBsonBinaryData;
        Assert.Equal(BsonBinarySubType.UuidStandard, binary.SubType);
        Assert.Equal(entity.Id, binary.ToGuid(GuidRepresentation.Standard));
        await using var read = CreateContext();
        Assert.Equal("g", (await read.GuidKeyed.SingleAsync(e => e.Id == entity.Id)).Name);
    }

    [Fact]
    public async Task Long_key_is_stored_as_int64()
    {
        await using (var db = CreateContext())
        {
            db.Add(new LongKeyed { Id = 5_000_000_000L, Name = "l" });
            await db.SaveChangesAsync();
        }

        var stored = await StoredAsync("longkeyeds");
        Assert.Equal(new BsonInt64(5_000_000_000L), stored["_id"]);
        await using var read = CreateContext();
        Assert.Equal("l", (await read.LongKeyed.FindAsync(5_000_000_000L))!.Name);
    }

    [Fact]
    public async Task Composite_key_becomes_an_id_sub_document()
    {
        await using (var db = CreateContext())
        {
            db.AddRange(new CompositeKeyed { Tenant = "t1", Number = 1, Name = "first" },
                new CompositeKeyed { Tenant = "t1", Number = 2, Name = "second" });
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("compositekeyeds").Find(new BsonDocument("_id.Number", 2)).SingleAsync();
        Assert.Equal(new BsonDocument { { "Tenant", "t1" }, { "Number", 2 } }, stored["_id"]);
        Assert.False(stored.Contains("Tenant"));
        await using var read = CreateContext();
        Assert.Equal("second", (await read.CompositeKeyed.FindAsync("t1", 2))!.Name);
        Assert.Equal(["first"], await read.CompositeKeyed.Where(c => c.Number < 2 && c.Tenant == "t1").Select(c => c.Name).ToListAsync());

        var tracked = await read.CompositeKeyed.SingleAsync(c => c.Number == 1);
        tracked.Name = "renamed";
        await read.SaveChangesAsync();
        Assert.Equal("renamed",
            (await RawCollection("compositekeyeds").Find(
                new BsonDocument("_id", new BsonDocument { { "Tenant", "t1" }, { "Number", 1 } })).SingleAsync())["Name"].AsString);
    }
}

public sealed class ElementNameTests : ProviderTestBase<MappingContext>
{
    [Fact]
    public async Task BsonElement_Column_and_HasElementName_name_the_stored_elements()
    {
        await using (var db = CreateContext())
        {
            db.Add(new Named { Id = 1, ByBsonElement = "b", ByColumn = "c", ByFluent = "f", Plain = "p" });
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("nameds").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        AssertElements(
            new BsonDocument { { "_id", 1 }, { "bson_name", "b" }, { "column_name", "c" }, { "fluent_name", "f" }, { "Plain", "p" } },
                stored);

        await using var read = CreateContext();
        var query = read.Named.Where(n => n.ByBsonElement == "b" && n.ByColumn == "c" && n.ByFluent == "f");
        Assert.Contains("\"bson_name\"", query.ToQueryString());
        Assert.Contains("\"column_name\"", query.ToQueryString());
        Assert.Contains("\"fluent_name\"", query.ToQueryString());
        var found = await query.SingleAsync();
        Assert.Equal(("b", "c", "f", "p"), (found.ByBsonElement, found.ByColumn, found.ByFluent, found.Plain));
    }
}

public sealed class OwnedMappingTests : ProviderTestBase<MappingContext>
{
    [Fact]
    public async Task OwnsOne_OwnsMany_and_implicit_nested_classes_are_embedded()
    {
        await using (var db = CreateContext())
        {
            db.Add(new Order
            {
                Id = 1,
                Shipping = new Address { Street = "1 Main", City = "Oslo" },
                Lines = [new Line { Sku = "A", Quantity = 2 }, new Line { Sku = "B", Quantity = 1 }],
                Location = new GeoPoint { Lat = 59.9, Lng = 10.7 },
            });
            db.Add(new Order { Id = 2, Shipping = new Address { Street = "2 High", City = "Bergen" } });
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("orders").Find(new BsonDocument("_id", 1)).SingleAsync();
        AssertElements(new BsonDocument { { "Street", "1 Main" }, { "City", "Oslo" } }, stored["ship_to"]);
        Assert.Equal(2, stored["Lines"].AsBsonArray.Count);
        AssertElements(new BsonDocument { { "Sku", "A" }, { "Quantity", 2 } }, stored["Lines"][0]);
        AssertElements(new BsonDocument { { "Sku", "B" }, { "Quantity", 1 } }, stored["Lines"][1]);
        AssertElements(new BsonDocument { { "Lat", 59.9 }, { "Lng", 10.7 } }, stored["Location"]);
        var second = await RawCollection("orders").Find(new BsonDocument("_id", 2)).SingleAsync();
        Assert.Equal(BsonNull.Value, second["Location"]);
        Assert.Equal(new BsonArray(), second["Lines"]);

        await using var read = CreateContext();
        var order = await read.Orders.SingleAsync(o => o.Shipping.City == "Oslo");
        Assert.Equal("1 Main", order.Shipping.Street);
        Assert.Equal(["A", "B"], order.Lines.Select(l => l.Sku));
        Assert.Equal(10.7, order.Location!.Lng);
        Assert.Null((await read.Orders.SingleAsync(o => o.Id == 2)).Location);
        Assert.Equal([2], await read.Orders.Where(o => o.Location == null).Select(o => o.Id).ToListAsync());
        Assert.Equal([1], await read.Orders.Where(o => o.Location!.Lat > 50).Select(o => o.Id).ToListAsync());
    }
}

public sealed class ComplexTypeTests : ProviderTestBase<MappingContext>
{
    private static Place NewPlace(int id, string name, string city, int? zip = null) => new()
    {
        Id = id,
        Name = name,
        Address = new PostalAddress { Street = $"{id} Road", City = city, Zip = zip },
        Contact =
            new Contact { Email = $"{name}@example.com", Priority = id,
                Postal = new PostalAddress { Street = "PO Box", City = city + " PO" } },
    };

    [Fact]
    public async Task Complex_properties_are_stored_as_embedded_documents()
    {
        await using (var db = CreateContext())
        {
            db.Add(NewPlace(1, "cafe", "Oslo", 150));
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("places").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        AssertElements(new BsonDocument { { "Street", "1 Road" }, { "City", "Oslo" }, { "Zip", 150 } }, stored["Address"]);
        AssertElements(
            new BsonDocument
            {
                { "mail", "cafe@example.com" },
                { "Priority", 1 },
                { "Postal", new BsonDocument { { "City", "Oslo PO" }, { "Street", "PO Box" }, { "Zip", BsonNull.Value } } },
            },
            stored["Contact"]);
    }

    [Fact]
    public async Task Complex_properties_are_read_queried_and_projected()
    {
        await using (var db = CreateContext())
        {
            db.AddRange(NewPlace(1, "cafe", "Oslo", 150), NewPlace(2, "bar", "Bergen"), NewPlace(3, "pub", "Oslo", 170));
            await db.SaveChangesAsync();
        }

        await using var read = CreateContext();
        var all = await read.Places.OrderBy(p => p.Id).ToListAsync();
        Assert.Equal(["Oslo", "Bergen", "Oslo"], all.Select(p => p.Address.City));
        Assert.Equal([150, null, 170], all.Select(p => p.Address.Zip));
        Assert.Equal("bar@example.com", all[1].Contact.Email);
        Assert.Equal("Bergen PO", all[1].Contact.Postal.City);

        var oslo = read.Places.Where(p => p.Address.City == "Oslo" && p.Contact.Priority > 1);
        Assert.Contains("\"Address.City\"", oslo.ToQueryString());
        Assert.Equal(["pub"], await oslo.Select(p => p.Name).ToListAsync());
        Assert.Equal(["bar"], await read.Places.Where(p => p.Contact.Email.StartsWith("ba")).Select(p => p.Name).ToListAsync());
        Assert.Equal(["bar"], await read.Places.Where(p => p.Address.Zip == null).Select(p => p.Name).ToListAsync());
        Assert.Equal(["Bergen PO"],
            await read.Places.Where(p => p.Contact.Postal.City.EndsWith("n PO")).Select(p => p.Contact.Postal.City).ToListAsync());
        Assert.Equal(["bar", "cafe", "pub"], await read.Places.OrderBy(p => p.Address.Zip).Select(p => p.Name).ToListAsync());

        var projected =
            await read.Places.OrderBy(p => p.Id).Select(p => new { p.Name, p.Address, City = p.Contact.Postal.City }).ToListAsync();
        Assert.Equal("2 Road", projected[1].Address.Street);
        Assert.Equal("Oslo PO", projected[2].City);
        Assert.Equal(["Oslo", "Bergen", "Oslo"], await read.Places.OrderBy(p => p.Id).Select(p => p.Address.City).ToListAsync());
        Assert.Equal(["Bergen", "Oslo", "Oslo"],
            (await read.Places.OrderBy(p => p.Address.City).ThenBy(p => p.Id).Select(p => p.Address).ToListAsync()).Select(a => a.City));
    }

    [Fact]
    public async Task Changing_a_complex_property_rewrites_its_sub_document_only()
    {
        await using (var db = CreateContext())
        {
            db.Add(NewPlace(1, "cafe", "Oslo", 150));
            await db.SaveChangesAsync();
        }

        await using (var db = CreateContext())
        {
            var place = await db.Places.SingleAsync();
            place.Address.City = "Trondheim";
            Logs.Clear();
            await db.SaveChangesAsync();
            Assert.Equal(EntityState.Unchanged, db.Entry(place).State);
        }

        await using (var db = CreateContext())
        {
            var place = await db.Places.SingleAsync();
            place.Contact = new Contact { Email = "new@example.com", Priority = 9, Postal = new PostalAddress { City = "Nowhere" } };
            await db.SaveChangesAsync();
        }

        var stored = await RawCollection("places").Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal("Trondheim", stored["Address"]["City"].AsString);
        Assert.Equal("1 Road", stored["Address"]["Street"].AsString);
        Assert.Equal("new@example.com", stored["Contact"]["mail"].AsString);
        Assert.Equal("Nowhere", stored["Contact"]["Postal"]["City"].AsString);
        Assert.Equal("cafe", stored["Name"].AsString);
    }
}
