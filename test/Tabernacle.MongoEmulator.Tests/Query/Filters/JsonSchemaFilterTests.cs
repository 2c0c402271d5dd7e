using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Tests.Query.Filters;

public class JsonSchemaFilterTests
{
    private const string StudentSchema = """
        {$jsonSchema: {
            bsonType: 'object',
            required: ['name', 'year'],
            properties: {
                name: {bsonType: 'string', description: 'must be a string'},
                year: {bsonType: 'int', minimum: 2017, maximum: 3017},
                gpa: {bsonType: ['double'], minimum: 0},
                address: {bsonType: 'object', required: ['city'], properties: {city: {bsonType: 'string', minLength: 2}}}
            }
        }}
        """;

    [Theory]
    [InlineData("{name: 'Alice', year: 2019}", true)]
    [InlineData("{name: 'Alice'}", false)]
    [InlineData("{name: 5, year: 2019}", false)]
    [InlineData("{name: 'Alice', year: 2016}", false)]
    [InlineData("{name: 'Alice', year: 2019.0}", false)]
    [InlineData("{name: 'Alice', year: 2019, gpa: 3.5}", true)]
    [InlineData("{name: 'Alice', year: 2019, gpa: 3}", false)]
    [InlineData("{name: 'Alice', year: 2019, address: {city: 'Oslo'}}", true)]
    [InlineData("{name: 'Alice', year: 2019, address: {}}", false)]
    [InlineData("{name: 'Alice', year: 2019, address: {city: 'X'}}", false)]
    [InlineData("{name: 'Alice', year: 2019, address: 'Oslo'}", false)]
    public void Student_schema(string document, bool expected) =>
        Assert.Equal(expected, QueryFilter.Compile(BsonDocument.Parse(StudentSchema)).Matches(BsonDocument.Parse(document)));

    [Theory]
    [InlineData("{properties: {a: {type: 'number'}}}", "{a: NumberLong(1)}", true)]
    [InlineData("{properties: {a: {type: 'number'}}}", "{a: '1'}", false)]
    [InlineData("{properties: {a: {bsonType: 'number'}}}", "{a: 1.5}", true)]
    [InlineData("{properties: {a: {minimum: 5}}}", "{a: 'x'}", true)]
    [InlineData("{properties: {a: {enum: [1, 'x']}}}", "{a: 'x'}", true)]
    [InlineData("{properties: {a: {enum: [1, 'x']}}}", "{a: 2}", false)]
    [InlineData("{properties: {a: {items: {bsonType: 'int'}}}}", "{a: [1, 2]}", true)]
    [InlineData("{properties: {a: {items: {bsonType: 'int'}}}}", "{a: [1, 'x']}", false)]
    [InlineData("{properties: {a: {minItems: 2}}}", "{a: [1]}", false)]
    [InlineData("{properties: {a: {uniqueItems: true}}}", "{a: [1, 1.0]}", false)]
    [InlineData("{properties: {a: {pattern: '^x'}}}", "{a: 'xy'}", true)]
    [InlineData("{properties: {a: {pattern: '^x'}}}", "{a: 'yx'}", false)]
    [InlineData("{properties: {_id: {}, a: {}}, additionalProperties: false}", "{_id: 1, a: 1}", true)]
    [InlineData("{properties: {_id: {}, a: {}}, additionalProperties: false}", "{_id: 1, b: 1}", false)]
    [InlineData("{anyOf: [{required: ['a']}, {required: ['b']}]}", "{b: 1}", true)]
    [InlineData("{not: {required: ['a']}}", "{a: 1}", false)]
    [InlineData("{properties: {a: {exclusiveMinimum: true, minimum: 5}}}", "{a: 5}", false)]
    public void Keywords(string schema, string document, bool expected) =>
        Assert.Equal(expected,
            QueryFilter.Compile(new BsonDocument("$jsonSchema", BsonDocument.Parse(schema))).Matches(BsonDocument.Parse(document)));

    [Fact]
    public void Unknown_keyword_is_rejected()
    {
        var error = Assert.Throws<MongoErrorException>(() => QueryFilter.Compile(BsonDocument.Parse("{$jsonSchema: {foo: 1}}")));
        Assert.Equal(ErrorCodes.FailedToParse, error.Code);
    }

    [Fact]
    public void Integer_type_is_not_supported()
    {
        var error = Assert.Throws<MongoErrorException>(() => QueryFilter.Compile(BsonDocument.Parse("{$jsonSchema: {type: 'integer'}}")));
        Assert.Equal(ErrorCodes.BadValue, error.Code);
    }
}
