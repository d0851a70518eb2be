using Tributary.Components.Activation;
using Tributary.Components.Attribution;
using Tributary.Components.Journeys;
using Tributary.Components.Experiments;
using Tributary.Components.Exports;
using Tributary.Components.Funnels;
using Tributary.Components.Identity;
using Tributary.Components.Profiles;
using Tributary.Components.Ltv;
using Tributary.Components.Recommendations;
using Tributary.Components.Segments;
using Tributary.Components.Sources;
using Tributary.Components.Sources.Platform;
using Tributary.Components.Standardize;
using Tributary.Components.Transforms;
using Tributary.Core.Components;

namespace Tributary.Components;

/// <summary>The catalog of every component type Tributary ships; one line per type.</summary>
public static class BuiltInComponents
{
    /// <summary>A new catalog holding every built-in type.</summary>
    public static ComponentCatalog CreateCatalog() => new ComponentCatalog()
        .Add<CsvSource, CsvSourceParameters>()
        .Add<ParquetSource, ParquetSourceParameters>()
        .Add<NdJsonSource, NdJsonSourceParameters>()
        .Add<SqlSource, SqlSourceParameters>()
        .Add<ShopifyOrdersSource, PlatformSourceParameters>()
        .Add<ShopifyProductsSource, PlatformSourceParameters>()
        .Add<SegmentEventsSource, SegmentEventsParameters>()
        .Add<GoogleAdsSource, PlatformSourceParameters>()
        .Add<MetaAdsSource, PlatformSourceParameters>()
        .Add<HubSpotContactsSource, PlatformSourceParameters>()
        .Add<ZendeskTicketsSource, PlatformSourceParameters>()
        .Add<StripeChargesSource, PlatformSourceParameters>()
        .Add<SqlTransform, SqlTransformParameters>()
        .Add<OrdersStandardizer, StandardizeParameters>()
        .Add<OrderItemsStandardizer, StandardizeParameters>()
        .Add<ProductsStandardizer, StandardizeParameters>()
        .Add<EventsStandardizer, StandardizeParameters>()
        .Add<TransactionsStandardizer, StandardizeParameters>()
        .Add<CustomersStandardizer, StandardizeParameters>()
        .Add<SupportTicketsStandardizer, StandardizeParameters>()
        .Add<SessionsStandardizer, StandardizeParameters>()
        .Add<TouchpointsStandardizer, StandardizeParameters>()
        .Add<AdSpendStandardizer, StandardizeParameters>()
        .Add<ExperimentExposuresStandardizer, StandardizeParameters>()
        .Add<IdentityResolution, IdentityParameters>()
        .Add<Customer360, Customer360Parameters>()
        .Add<ConversionPaths, ConversionPathsParameters>()
        .Add<AttributionModels, AttributionParameters>()
        .Add<JourneyPaths, JourneyPathsParameters>()
        .Add<Funnel, FunnelParameters>()
        .Add<Retention, RetentionParameters>()
        .Add<FunnelCorrelation, FunnelCorrelationParameters>()
        .Add<ConversionOpportunities, ConversionOpportunitiesParameters>()
        .Add<CampaignPerformance, CampaignPerformanceParameters>()
        .Add<BudgetOptimizer, BudgetOptimizerParameters>()
        .Add<LtvPrediction, LtvParameters>()
        .Add<Fraud.IsolationForestScoring, Fraud.IsolationForestParameters>()
        .Add<RfmSegmentation, RfmParameters>()
        .Add<ValueTiers, ValueTiersParameters>()
        .Add<Interactions, InteractionsParameters>()
        .Add<ItemSimilarityComponent, ItemSimilarityParameters>()
        .Add<Als, AlsParameters>()
        .Add<BoughtTogether, BoughtTogetherParameters>()
        .Add<Popular, PopularParameters>()
        .Add<ForCustomers, ForCustomersParameters>()
        .Add<Evaluate, EvaluateParameters>()
        .Add<CustomerFeed, CustomerFeedParameters>()
        .Add<AudienceFile, AudienceFileParameters>()
        .Add<TableSync, TableSyncParameters>()
        .Add<Webhook, WebhookParameters>()
        .Add<CsvExport, CsvExportParameters>()
        .Add<ParquetExport, ParquetExportParameters>()
        .Add<ExperimentMetrics, ExperimentMetricsParameters>()
        .Add<ExperimentAnalysis, ExperimentAnalysisParameters>()
        .Add<ExperimentPlan, ExperimentPlanParameters>()
        .Add<ExperimentDecision, ExperimentDecisionParameters>()
        .Add<Features.CustomerSnapshot, Features.CustomerSnapshotParameters>()
        .Add<Churn.ChurnPrediction, Churn.ChurnParameters>()
        .Add<Churn.ChurnAlert, Churn.ChurnAlertParameters>()
        .Add<Propensity.PropensityPrediction, Propensity.PropensityParameters>()
        .Add<Propensity.UpliftModelling, Propensity.UpliftParameters>()
        .Add<Propensity.PropensitySegments, Propensity.PropensitySegmentsParameters>()
        .Add<Propensity.CampaignTargeting, Propensity.CampaignTargetingParameters>();
}
