using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace Items;

/// <summary>Writes items <c>{Id, CreatedAt}</c> to the DynamoDB table named by <c>TABLE_NAME</c>.</summary>
public sealed class ItemRepository(IAmazonDynamoDB dynamo, string tableName)
{
    /// <summary>
    /// A repository configured from Lambda's environment: <c>TABLE_NAME</c>, <c>AWS_REGION</c>, the
    /// credentials Lambda sets, and <c>AWS_ENDPOINT_URL_DYNAMODB</c> where a local DynamoDB stands in.
    /// Every request is bounded (timeout and retries), so a DynamoDB that is down gives an error, not a hang.
    /// </summary>
    public static ItemRepository FromEnvironment()
    {
        var table = Environment.GetEnvironmentVariable("TABLE_NAME");
        if (string.IsNullOrEmpty(table))
            throw new InvalidOperationException("TABLE_NAME is not set: the function needs the name of its DynamoDB table");
        var config = new AmazonDynamoDBConfig
        {
            Timeout = TimeSpan.FromSeconds(5),
            MaxErrorRetry = 2,
        };
        var region = Environment.GetEnvironmentVariable("AWS_REGION");
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB");
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (!string.IsNullOrEmpty(region))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }
        return new ItemRepository(new AmazonDynamoDBClient(config), table);
    }

    /// <summary>Writes one new item and returns its id.</summary>
    public async Task<Guid> CreateAsync(CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        var item = new Dictionary<string, AttributeValue>
        {
            ["Id"] = new AttributeValue { S = id.ToString() },
            ["CreatedAt"] = new AttributeValue { S = DateTime.UtcNow.ToString("O") },
        };
        await dynamo.PutItemAsync(new PutItemRequest { TableName = tableName, Item = item }, cancellationToken);
        return id;
    }
}
