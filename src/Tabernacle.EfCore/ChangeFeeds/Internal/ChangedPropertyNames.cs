using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MongoDB.Bson;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.ChangeFeeds.Internal;

/// <summary>
/// Maps the stored field paths of an update description (<c>meta.pages</c>, <c>tags.2</c>) to CLR property names
/// (<c>Meta.Pages</c>, <c>Tags</c>) through the model: element names, owned navigations and complex properties.
/// </summary>
internal sealed class ChangedPropertyNames
{
    private readonly Dictionary<string, string> _byPath = new(StringComparer.Ordinal);

    public ChangedPropertyNames(IEntityType entityType) => Add(entityType, "", "");

    /// <summary>The CLR names of the paths an update set, removed or truncated, each once, in the order first seen.</summary>
    public IReadOnlyList<string> Of(BsonDocument updateDescription)
    {
        var paths = new List<string>();
        if (updateDescription.TryGetValue("updatedFields", out var updated) && updated is BsonDocument fields)
        {
            paths.AddRange(fields.Names);
        }

        if (updateDescription.TryGetValue("removedFields", out var removed) && removed is BsonArray removedFields)
        {
            paths.AddRange(removedFields.Select(f => f.AsString));
        }

        if (updateDescription.TryGetValue("truncatedArrays", out var truncated) && truncated is BsonArray arrays)
        {
            paths.AddRange(arrays.Select(a => a["field"].AsString));
        }

        return paths.Select(Name).Distinct(StringComparer.Ordinal).ToList();
    }

    // The longest known prefix names it: "tags.2" is a change of Tags, "meta.pages" of Meta.Pages.
    private string Name(string path)
    {
        for (var candidate = path; ; )
        {
            if (_byPath.TryGetValue(candidate, out var name))
            {
                return name;
            }

            var dot = candidate.LastIndexOf('.');
            if (dot < 0)
            {
                return path;
            }

            candidate = candidate[..dot];
        }
    }

    private void Add(IReadOnlyTypeBase type, string pathPrefix, string namePrefix)
    {
        foreach (var property in type.GetProperties())
        {
            if (property.IsShadowProperty() && !property.IsPrimaryKey())
            {
                continue;
            }

            var path = type is IReadOnlyEntityType ? FieldPaths.InEntity(property) : property.GetElementName();
            _byPath.TryAdd(pathPrefix + path, namePrefix + property.Name);
        }

        foreach (var complex in type.GetComplexProperties())
        {
            var path = pathPrefix + complex.GetElementName();
            _byPath.TryAdd(path, namePrefix + complex.Name);
            if (!complex.IsCollection)
            {
                AddComplex(complex.ComplexType, path + ".", namePrefix + complex.Name + ".");
            }
        }

        if (type is IReadOnlyEntityType entityType)
        {
            var owned =
                entityType.GetNavigations().Where(n => n.TargetEntityType.IsOwned() && n.ForeignKey.IsOwnership && !n.IsOnDependent);
            foreach (var navigation in owned)
            {
                var path = pathPrefix + navigation.GetElementName();
                _byPath.TryAdd(path, namePrefix + navigation.Name);
                if (!navigation.IsCollection)
                {
                    Add(navigation.TargetEntityType, path + ".", namePrefix + navigation.Name + ".");
                }
            }
        }
    }

    private void AddComplex(IReadOnlyComplexType type, string pathPrefix, string namePrefix)
    {
        foreach (var property in type.GetProperties())
        {
            _byPath.TryAdd(pathPrefix + property.GetElementName(), namePrefix + property.Name);
        }

        foreach (var complex in type.GetComplexProperties())
        {
            var path = pathPrefix + complex.GetElementName();
            _byPath.TryAdd(path, namePrefix + complex.Name);
            if (!complex.IsCollection)
            {
                AddComplex(complex.ComplexType, path + ".", namePrefix + complex.Name + ".");
            }
        }
    }
}
