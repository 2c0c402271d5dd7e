using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// A capped collection's <c>size</c> and <c>max</c> as mongod 7.0 stores and lists them (CollectionOptions): the size
/// rounded up to a multiple of 256 bytes, a max of zero or less meaning "no max" (2^31 - 1), and both numbers int32
/// where they fit, Int64 otherwise, whatever type the client sent. Drivers send Int64; mongod answers int32.
/// </summary>
internal static class CappedOptions
{
    private const long NoMax = 0x7fffffff;

    public static void Normalise(BsonDocument options)
    {
        if (!options.TryGetValue("capped", out var capped) || !capped.ToBoolean())
        {
            return;
        }

        if (!options.TryGetValue("size", out var size) || !size.IsNumeric)
        {
            throw new MongoErrorException(ErrorCodes.InvalidOptions, "the 'size' field is required when 'capped' is true");
        }

        var bytes = size.ToInt64();
        if (bytes < 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "size has to be >= 0");
        }

        options["size"] = Number((bytes + 0xff) & ~0xffL);
        if (options.TryGetValue("max", out var max) && max.IsNumeric)
        {
            var documents = max.ToInt64();
            if (documents > NoMax && documents != long.MaxValue)
            {
                throw new MongoErrorException(ErrorCodes.BadValue, "max in a capped collection has to be < 2^31 or not set");
            }

            options["max"] = Number(documents <= 0 || documents == long.MaxValue ? NoMax : documents);
        }
    }

    private static BsonValue Number(long value) =>
        value is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)value) : new BsonInt64(value);
}
