using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record ReservationRequest(string? BookId);

public static class ReservationEndpoints
{
    public static void MapReservationEndpoints(this IEndpointRouteBuilder app)
    {
        var reservations =
            app.MapGroup("/api/reservations").WithTags("Reservations").RequireAuthorization().WithReadPreference(
                ReadPreferenceMode.Primary);

        reservations.MapGet("/mine", (LibraryContext db, HttpContext http) =>
        {
            var userId = http.User.Id();
            return db.Reservations.Where(r => r.UserId == userId).OrderByDescending(r => r.CreatedAt).ToListAsync();
        });

        reservations.MapPost("/", async (ReservationRequest request, LibraryContext db, HttpContext http) =>
        {
            if (!Ids.TryParse(request.BookId, out var bookId))
            {
                return Errors.Validation("bookId", "A book id is required.");
            }

            if (!await db.Books.AnyAsync(b => b.Id == bookId))
            {
                return Results.NotFound();
            }

            var userId = http.User.Id();
            if (await db.Reservations.AnyAsync(r => r.BookId == bookId && r.UserId == userId && r.Status == "active"))
            {
                return Results.Problem("You already reserved this book.", statusCode: StatusCodes.Status409Conflict);
            }

            var reservation = new Reservation { BookId = bookId, UserId = userId, Status = "active" };
            db.Reservations.Add(reservation);
            await db.SaveChangesAsync(WriteConcern.WMajority);
            await LoanEndpoints.AuditAsync(db, "reservation.create", userId, bookId.ToString());
            return Results.Created($"/api/reservations/{reservation.Id}", reservation);
        });

        reservations.MapDelete("/{id}", async (string id, LibraryContext db, HttpContext http) =>
        {
            if (!Ids.TryParse(id, out var reservationId) || await db.Reservations.FirstOrDefaultAsync(r => r.Id == reservationId)
                is not { } reservation)
            {
                return Results.NotFound();
            }

            if (reservation.UserId != http.User.Id() && !http.User.IsAdmin())
            {
                return Results.Forbid();
            }

            if (reservation.Status != "active")
            {
                return Results.Problem("This reservation is no longer active.", statusCode: StatusCodes.Status409Conflict);
            }

            reservation.Status = "cancelled";
            await db.SaveChangesAsync(WriteConcern.WMajority);
            return Results.NoContent();
        });
    }
}
