namespace Tributary.Server.Contracts;

/// <summary>One channel's true share of conversions in a generated demo store (its ground truth, known only because the data was generated).</summary>
/// <param name="Channel">The channel, as the touchpoints name it.</param>
/// <param name="TrueConversions">Conversions the channel truly caused (Shapley credit of the generator's noisy-OR model).</param>
/// <param name="TrueShare">The channel's true share of all credited conversions, 0 to 1.</param>
public sealed record ChannelTruth(string Channel, double TrueConversions, double TrueShare);
