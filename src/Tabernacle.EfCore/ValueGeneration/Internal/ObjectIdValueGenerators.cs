using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.ValueGeneration;
using MongoDB.Bson;

namespace Tabernacle.EfCore.ValueGeneration.Internal;

/// <summary>Generates ObjectId keys on Add, as MongoDB drivers do client-side.</summary>
internal sealed class ObjectIdValueGenerator : ValueGenerator<ObjectId>
{
    public override bool GeneratesTemporaryValues => false;

    public override ObjectId Next(EntityEntry entry) => ObjectId.GenerateNewId();
}

/// <summary>Generates ObjectId keys for string properties stored as ObjectIds.</summary>
internal sealed class ObjectIdStringValueGenerator : ValueGenerator<string>
{
    public override bool GeneratesTemporaryValues => false;

    public override string Next(EntityEntry entry) => ObjectId.GenerateNewId().ToString();
}
