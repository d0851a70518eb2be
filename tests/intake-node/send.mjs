// Usage: node send.mjs HOST WRITE_KEY — sends through Segment's library as an application would, then flushes.
import { Analytics } from '@segment/analytics-node'

const [host, writeKey] = process.argv.slice(2)
const analytics = new Analytics({ writeKey, host, maxEventsInBatch: 10, flushInterval: 200, maxRetries: 2 })
analytics.on('error', (error) => {
  console.error('analytics-node error:', error)
  process.exitCode = 1
})
analytics.identify({ userId: 'node-user', messageId: 'node-identify', traits: { email: 'Node.User@Example.com', name: 'Node User' } })
analytics.track({ userId: 'node-user', messageId: 'node-track', event: 'Order Completed', properties: { order_id: 'node-order', revenue: 25.5, currency: 'eur' } })
analytics.page({ anonymousId: 'node-anon', messageId: 'node-page', name: 'Pricing', properties: { url: 'https://example.com/pricing' } })
await analytics.closeAndFlush({ timeout: 20000 })
