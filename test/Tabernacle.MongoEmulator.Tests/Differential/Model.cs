namespace Tabernacle.MongoEmulator.Tests.Differential;

// The documents of the differential suite, mapped by the driver's default conventions only:
// Id becomes _id, enums are stored as Int32, decimal as Decimal128 (driver 3.x default),
// DateTime as a UTC BSON date (millisecond precision), nulls are written as BSON null.

public enum Tier
{
    Bronze,
    Silver,
    Gold,
    Platinum,
}

public sealed class Customer
{
    public int Id { get; set; }

    public string? Name { get; set; }

    public string City { get; set; } = "";

    public int Age { get; set; }

    public long Points { get; set; }

    public double Rating { get; set; }

    public decimal Balance { get; set; }

    public int? Score { get; set; }

    public bool Active { get; set; }

    public DateTime JoinedAt { get; set; }

    public Tier Tier { get; set; }

    public Address? Address { get; set; }

    public List<string> Tags { get; set; } = [];

    public List<Contact> Contacts { get; set; } = [];
}

public sealed class Address
{
    public string Street { get; set; } = "";

    public string? City { get; set; }

    public int Zip { get; set; }

    public GeoPoint? Geo { get; set; }
}

public sealed class GeoPoint
{
    public double Lat { get; set; }

    public double Lng { get; set; }
}

public sealed class Contact
{
    public string Kind { get; set; } = "";

    public string Value { get; set; } = "";

    public int Priority { get; set; }

    public bool Verified { get; set; }
}

public sealed class Order
{
    public int Id { get; set; }

    public int CustomerId { get; set; }

    public string Status { get; set; } = "";

    public decimal Amount { get; set; }

    public int Quantity { get; set; }

    public double Discount { get; set; }

    public DateTime PlacedAt { get; set; }

    public string? Note { get; set; }
}
