namespace Tributary.Server.Contracts;

/// <summary>One channel's true share of conversions in a generated demo store (its ground truth, known only because the data was generated).</summary>
/// <param name="Channel">The channel, as the touchpoints name it.</param>
/// <param name="TrueConversions">The channel's Shapley credit: each converting journey's conversion split by the Shapley value of the generator's true noisy-OR over the channels it touched, summed.</param>
/// <param name="TrueShare">The channel's share of all Shapley-credited conversions, 0 to 1.</param>
/// <param name="IncrementalConversions">Conversions that would have been lost without the channel's touches (the generator's counterfactual, no Shapley value in it); null in a file written before the generator wrote it.</param>
/// <param name="IncrementalShare">The channel's share of all channels' incremental conversions, 0 to 1; null where incremental_conversions is.</param>
public sealed record ChannelTruth(string Channel, double TrueConversions, double TrueShare, double? IncrementalConversions = null, double? IncrementalShare = null);
