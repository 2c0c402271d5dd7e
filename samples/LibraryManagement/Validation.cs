using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.Features;

namespace LibraryManagement;

/// <summary>The bounds every input is checked against.</summary>
public static class Limits
{
    public const int MaxTitleLength = 300;
    public const int MaxDescriptionLength = 4000;
    public const int MaxPage = 100_000;
    public const int MaxPageSize = 100;
    public const int MaxCopies = 10_000;
    public const int MinPublishedYear = 1400;

    /// <summary>The largest request body accepted (a book with the longest texts fits many times over).</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static int MaxPublishedYear => DateTime.UtcNow.Year + 1;

    /// <summary>
    /// Answers 413 (ProblemDetails) to a body larger than <see cref="MaxRequestBodyBytes"/>, before anything reads it, and
    /// sets the server's own limit for bodies of unannounced length (Kestrel then refuses them as they arrive).
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = MaxRequestBodyBytes;
        }

        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            await Results.Problem(
                title: "Request body too large",
                detail: $"The request body has {context.Request.ContentLength} bytes; at most {MaxRequestBodyBytes} are accepted. "
                    + $"Titles have at most {MaxTitleLength} characters and descriptions {MaxDescriptionLength}.",
                statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(context);
            return;
        }

        await next(context);
    });
}

/// <summary>ISBN-10 and ISBN-13: check digits verified, and every ISBN stored as its 13 digits, so one book has one key.</summary>
public static class Isbn
{
    /// <summary>
    /// The 13-digit form of <paramref name="text"/> (hyphens and spaces removed, ISBN-10 converted), or <c>false</c> when
    /// it is not a valid ISBN-10 or ISBN-13.
    /// </summary>
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? isbn13)
    {
        isbn13 = null;
        if (text is null || text.Length > 20)
        {
            return false;
        }

        var compact = string.Concat(text.Where(c => c is not ('-' or ' ')));
        if (compact.Length == 10 && compact[..9].All(char.IsAsciiDigit) && (char.IsAsciiDigit(compact[9]) || compact[9] is 'X' or 'x'))
        {
            var sum = 0;
            for (var i = 0; i < 10; i++)
            {
                var digit = compact[i] is 'X' or 'x' ? 10 : compact[i] - '0';
                sum += digit * (10 - i);
            }

            if (sum % 11 != 0)
            {
                return false;
            }

            var body = "978" + compact[..9];
            isbn13 = body + CheckDigit13(body);
            return true;
        }

        if (compact.Length == 13 && compact.All(char.IsAsciiDigit) && compact.StartsWith("97", StringComparison.Ordinal)
            && compact[2] is '8' or '9' && CheckDigit13(compact[..12]) == compact[12])
        {
            isbn13 = compact;
            return true;
        }

        return false;
    }

    private static char CheckDigit13(string twelve)
    {
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            sum += (twelve[i] - '0') * (i % 2 == 0 ? 1 : 3);
        }

        return (char)('0' + ((10 - (sum % 10)) % 10));
    }
}
