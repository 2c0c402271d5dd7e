using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using Tabernacle.EfCore;

namespace TabernacleApp;

/// <summary>The app's context: one collection of tasks.</summary>
public class TasksContext(DbContextOptions<TasksContext> options) : DbContext(options)
{
    public DbSet<TaskItem> Tasks => Set<TaskItem>();
}

/// <summary>A task, with TabernacleORM's conventions: its collection from Meta, a timestamp, a default and validation.</summary>
public class TaskItem
{
    public static class Meta
    {
        public const string Collection = "tasks";
    }

    public ObjectId Id { get; set; }

    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string Title { get; set; } = "";

    [Default(false)]
    public bool Done { get; set; }

    [AutoNowAdd]
    public DateTime CreatedAt { get; set; }
}

/// <summary>The body of POST /api/tasks.</summary>
public record NewTask(string Title);

/// <summary>A task as the API shows it: the ObjectId as its 24 hexadecimal digits.</summary>
public record TaskView(string Id, string Title, bool Done, DateTime CreatedAt)
{
    public static TaskView Of(TaskItem task) => new(task.Id.ToString(), task.Title, task.Done, task.CreatedAt);
}
