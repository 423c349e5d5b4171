using Items;
using LambdaRuntime;

// Init (outside the handler, as Lambda counts it): the DynamoDB client and the handler.
return await LambdaBootstrap.RunAsync(() =>
{
    var handler = new CreateItemHandler(ItemRepository.FromEnvironment());
    return Task.FromResult<Handler>((body, _, cancellationToken) => handler.HandleAsync(body, cancellationToken));
});
