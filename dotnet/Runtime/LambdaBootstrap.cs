using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LambdaRuntime;

/// <summary>What the Runtime API says about one invocation.</summary>
public sealed record InvocationContext(string RequestId, DateTimeOffset Deadline, string? FunctionArn, string? TraceId)
{
    public TimeSpan RemainingTime => Deadline - DateTimeOffset.UtcNow;
}

/// <summary>Handles one event (its raw JSON) and returns the response's JSON.</summary>
public delegate Task<byte[]> Handler(byte[] eventJson, InvocationContext context, CancellationToken cancellationToken);

/// <summary>
/// The Lambda Runtime API loop (2018-06-01), as Amazon.Lambda.RuntimeSupport runs it, in one small file:
/// init (errors go to <c>/init/error</c>), then forever <c>GET /next</c>, the handler under a token
/// cancelled at the invocation's deadline, <c>POST /response</c> or <c>POST /error</c> with Lambda's error
/// JSON. It works against real Lambda (provided.al2023, or an executable assembly on the managed
/// dotnet runtimes) and against bench-runner's local Runtime API alike.
/// </summary>
public static class LambdaBootstrap
{
    const string ErrorContentType = "application/vnd.aws.lambda.error+json";

    /// <summary>Runs the loop; returns (an exit code) only when init fails or the Runtime API goes away.</summary>
    public static async Task<int> RunAsync(Func<Task<Handler>> init)
    {
        var api = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrEmpty(api))
        {
            Console.Error.WriteLine("AWS_LAMBDA_RUNTIME_API is not set: this program runs under Lambda or a Runtime API emulator");
            return 2;
        }
        ApplyMemoryLimit();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false })
        {
            BaseAddress = new Uri($"http://{api}/2018-06-01/runtime/"),
            // GET /next blocks until an event arrives, which may be hours.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("lambdastat-dotnet-runtime/1.0");

        Handler handler;
        try
        {
            handler = await init();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"init failed: {e}");
            await PostErrorAsync(http, "init/error", e);
            return 1;
        }

        while (true)
        {
            HttpResponseMessage next;
            try
            {
                next = await http.GetAsync("invocation/next", HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"the Runtime API went away: {e.Message}");
                return 1;
            }
            using (next)
            {
                if (next.StatusCode != HttpStatusCode.OK)
                {
                    Console.Error.WriteLine($"GET /next answered {(int)next.StatusCode}: exiting as the Runtime API asks");
                    return 1;
                }
                var context = ReadContext(next.Headers);
                var body = await next.Content.ReadAsByteArrayAsync();
                if (context.TraceId is not null)
                    Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", context.TraceId);
                await InvokeAsync(http, handler, body, context);
            }
        }
    }

    static async Task InvokeAsync(HttpClient http, Handler handler, byte[] body, InvocationContext context)
    {
        var remaining = context.RemainingTime;
        using var deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        byte[] response;
        try
        {
            response = await handler(body, context, deadline.Token);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
            await PostErrorAsync(http, $"invocation/{context.RequestId}/error", e);
            return;
        }
        using var content = new ByteArrayContent(response);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var posted = await http.PostAsync($"invocation/{context.RequestId}/response", content);
    }

    static InvocationContext ReadContext(HttpResponseHeaders headers)
    {
        string? One(string name) => headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;
        var id = One("Lambda-Runtime-Aws-Request-Id")
            ?? throw new InvalidOperationException("the Runtime API sent no Lambda-Runtime-Aws-Request-Id");
        var deadline = long.TryParse(One("Lambda-Runtime-Deadline-Ms"), out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.UtcNow.AddMinutes(15);
        return new InvocationContext(id, deadline, One("Lambda-Runtime-Invoked-Function-Arn"), One("Lambda-Runtime-Trace-Id"));
    }

    /// <summary>Lambda's error JSON, with the error type also in the header Lambda reads first.</summary>
    static async Task PostErrorAsync(HttpClient http, string path, Exception e)
    {
        var error = new ErrorResponse(
            e.Message,
            e.GetType().Name,
            (e.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var json = JsonSerializer.SerializeToUtf8Bytes(error, RuntimeJsonContext.Default.ErrorResponse);
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue(ErrorContentType);
        content.Headers.Add("Lambda-Runtime-Function-Error-Type", error.ErrorType);
        try
        {
            using var posted = await http.PostAsync(path, content);
        }
        catch (HttpRequestException post)
        {
            Console.Error.WriteLine($"could not report the error: {post.Message}");
        }
    }

    /// <summary>
    /// As RuntimeSupport does: the runtime does not see the limit Lambda puts on the sandbox, so the GC heap
    /// is capped at the function's memory size (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB).
    /// </summary>
    static void ApplyMemoryLimit()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), out var mb) || mb <= 0)
            return;
        AppContext.SetData("GCHeapHardLimit", (ulong)mb * 1024 * 1024);
        GC.RefreshMemoryLimit();
    }
}

public sealed record ErrorResponse(
    [property: JsonPropertyName("errorMessage")] string ErrorMessage,
    [property: JsonPropertyName("errorType")] string ErrorType,
    [property: JsonPropertyName("stackTrace")] string[] StackTrace);

[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
