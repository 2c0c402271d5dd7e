using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace LibraryManagement;

/// <summary>
/// The OpenAPI document tells the truth: a bearer security scheme (so /swagger shows Authorize), the operations that need
/// it, and each operation's real answers from <see cref="Responses"/> (a test checks that every endpoint is listed there
/// and in the README).
/// </summary>
public static class OpenApiSetup
{
    public const string BearerScheme = "Bearer";

    /// <summary>Every operation's status codes: the success first, then the problems it can answer.</summary>
    public static readonly IReadOnlyDictionary<string, int[]> Responses = new Dictionary<string, int[]>
    {
        ["POST /api/auth/register"] = [201, 400, 409, 413, 429],
        ["POST /api/auth/login"] = [200, 400, 401, 413, 429],
        ["POST /api/auth/session"] = [200, 400, 401, 413, 429],
        ["POST /api/auth/logout"] = [204, 400],
        ["GET /api/auth/me"] = [200],
        ["GET /api/books"] = [200, 400],
        ["GET /api/books/available"] = [200],
        ["GET /api/books/search"] = [200, 400],
        ["GET /api/books/by-author/{authorId}"] = [200, 404],
        ["GET /api/books/by-category/{categoryId}"] = [200, 404],
        ["GET /api/books/{id}"] = [200, 404],
        ["POST /api/books"] = [201, 400, 401, 403, 409, 413],
        ["PUT /api/books/{id}"] = [200, 400, 401, 403, 404, 409, 413],
        ["DELETE /api/books/{id}"] = [204, 400, 401, 403, 404, 409],
        ["GET /api/authors"] = [200],
        ["GET /api/categories"] = [200],
        ["GET /api/loans/mine"] = [200, 401],
        ["GET /api/loans/active"] = [200, 401, 403],
        ["GET /api/loans/overdue"] = [200, 401, 403],
        ["GET /api/loans/{id}"] = [200, 401, 403, 404],
        ["POST /api/loans"] = [201, 400, 401, 404, 409, 413],
        ["POST /api/loans/{id}/return"] = [200, 400, 401, 403, 404, 409],
        ["GET /api/reservations/mine"] = [200, 401],
        ["POST /api/reservations"] = [201, 400, 401, 404, 409, 413],
        ["DELETE /api/reservations/{id}"] = [204, 400, 401, 403, 404, 409],
        ["GET /api/stats"] = [200],
        ["GET /api/cluster"] = [200],
        ["GET /api/notifications"] = [200, 401],
        ["GET /api/activity/stream"] = [200],
        ["POST /api/cluster/step-down"] = [200, 400, 401, 403, 404],
        ["POST /api/cluster/members/{name}/pause"] = [200, 400, 401, 403, 404, 409],
        ["POST /api/cluster/members/{name}/resume"] = [200, 400, 401, 403, 404],
    };

    private static readonly Dictionary<int, string> Descriptions = new()
    {
        [200] = "OK",
        [201] = "Created",
        [204] = "No content",
        [400] = "Invalid input, or a cookie-authorised request without its antiforgery token (ProblemDetails saying what to fix)",
        [401] = "Not signed in, or wrong credentials: send a bearer token from POST /api/auth/login",
        [403] = "Signed in without the role, or not the owner",
        [404] = "No such resource",
        [409] = "Conflicts with the current state (duplicate, limit reached, no copy left...)",
        [413] = "Request body larger than 64 KB",
        [429] = "Too many attempts: wait for Retry-After",
    };

    public static IServiceCollection AddLibraryOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The token answered by POST /api/auth/login (or /register).",
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                var bearer = new OpenApiSecuritySchemeReference(BearerScheme, context.Document);
                operation.Security = [new OpenApiSecurityRequirement { [bearer] = [] }];
            }

            if (Responses.TryGetValue($"{context.Description.HttpMethod} /{context.Description.RelativePath?.TrimEnd('/')}", out var codes))
            {
                operation.Responses ??= [];
                var success = codes[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (success != "200" && operation.Responses.Remove("200", out var ok) && !operation.Responses.ContainsKey(success))
                {
                    operation.Responses[success] = new OpenApiResponse { Description = Descriptions[codes[0]], Content = ok.Content };
                }

                foreach (var code in codes)
                {
                    operation.Responses.TryAdd(
                        code.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        new OpenApiResponse { Description = Descriptions[code] });
                }
            }

            return Task.CompletedTask;
        });
    });
}
