using System.Text.Json;
using System.Text.Json.Serialization;

namespace Items;

/// <summary>
/// The function every variant runs: takes a <c>Dictionary&lt;string,string&gt;</c> event, writes one item and
/// returns its id as JSON. An event with a <c>"fail"</c> key throws <see cref="InvalidOperationException"/>
/// with that message, so the error path can be exercised the same way in every variant.
/// </summary>
public sealed class CreateItemHandler(ItemRepository repository)
{
    public async Task<byte[]> HandleAsync(byte[] eventJson, CancellationToken cancellationToken)
    {
        var input = eventJson.Length == 0
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize(eventJson, ItemsJsonContext.Default.DictionaryStringString) ?? [];
        if (input.TryGetValue("fail", out var message))
            throw new InvalidOperationException(message);
        var id = await repository.CreateAsync(cancellationToken);
        return JsonSerializer.SerializeToUtf8Bytes(id, ItemsJsonContext.Default.Guid);
    }
}

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Guid))]
internal sealed partial class ItemsJsonContext : JsonSerializerContext;
