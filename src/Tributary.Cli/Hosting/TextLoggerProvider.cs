using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Output;

namespace Tributary.Cli.Hosting;

/// <summary>
/// Writes log entries to the command's error stream as they happen (no queue, so nothing is lost at exit): as
/// timestamped lines, the way every trib command writes, or as one JSON object a line for a log collector. An
/// exception is written whole, type, message, inner exceptions and stack trace.
/// </summary>
internal sealed class TextLoggerProvider(TextWriter writer, TimeProvider time, LogFormat format) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (_gate) writer.Flush();
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, string message)
    {
        var line = format == LogFormat.Json ? Json(category, level, eventId, state, exception, message) : Text(message, exception);
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    private string Text(string message, Exception? exception)
    {
        var line = $"{time.GetLocalNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {message}";
        return exception is null ? line : $"{line}{Environment.NewLine}{exception}";
    }

    private string Json<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", time.GetUtcNow());
            json.WriteString("level", level.ToString());
            json.WriteString("category", category);
            if (eventId.Id != 0) json.WriteNumber("event_id", eventId.Id);
            json.WriteString("message", message);
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Any(v => v.Key != "{OriginalFormat}"))
            {
                json.WriteStartObject("values");
                foreach (var (key, value) in values.Where(v => v.Key != "{OriginalFormat}"))
                {
                    switch (value)
                    {
                        case null: json.WriteNull(key); break;
                        case bool b: json.WriteBoolean(key, b); break;
                        case int or long or short or byte: json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                        case double or float or decimal: json.WriteNumber(key, Convert.ToDouble(value, CultureInfo.InvariantCulture)); break;
                        default: json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
                    }
                }
                json.WriteEndObject();
            }
            if (exception is not null)
            {
                json.WriteStartObject("exception");
                json.WriteString("type", exception.GetType().FullName);
                json.WriteString("message", exception.Message);
                json.WriteString("details", exception.ToString());
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class Logger(TextLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            provider.Write(category, logLevel, eventId, state, exception, formatter(state, exception));
        }
    }
}
