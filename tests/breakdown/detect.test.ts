import { describe, expect, it } from 'vitest';
import { detectPattern } from '../../src/core/breakdown/detect.js';
import { PatternRegistry } from '../../src/core/breakdown/registry.js';
import type { BreakdownSubject } from '../../src/core/breakdown/types.js';

const registry = new PatternRegistry();

/** Titles as people write them in trackers — not the names of the patterns' steps. */
const CASES: Record<string, (string | BreakdownSubject)[]> = {
  api: [
    'Expose order history to partner apps over REST',
    'Add GraphQL resolvers for the product catalog',
    'New endpoint: POST /invoices/{id}/refund',
    'Webhook receiver for Stripe payment events',
    'Build a billing microservice that other teams can call',
    'gRPC interface for the inventory backend',
    'Paginate the /v2/customers route and add filtering',
    'Build the user management API with JWT auth',
  ],
  frontend: [
    'Redo the checkout page in React',
    'Dark mode toggle in the settings screen',
    'Make the dashboard usable on phones',
    'Vue component library for form inputs',
    'Accessible dropdown menu with keyboard navigation',
    'Onboarding wizard UI for new customers',
  ],
  database: [
    'Move customer data from MySQL to Postgres',
    'Slow queries on the orders table — add the right indexes',
    'Partition the events table by month',
    'Nightly backups of the production DB with point-in-time restore',
    'Design the data model for multi-tenant billing',
    'Set up read replicas for reporting queries',
  ],
  security: [
    'Add two-factor login with TOTP',
    'Role-based permissions for the admin console',
    'Encrypt customer PII at rest',
    'Pen test findings: fix XSS and CSRF holes',
    'SSO with Okta via SAML',
    'Rotate leaked credentials and move secrets to Vault',
  ],
  devops: [
    'Dockerize the app and run it on Kubernetes',
    'GitHub Actions pipeline that deploys on every merge to main',
    'Terraform the staging environment on AWS',
    'Alerting and dashboards in Grafana for the payment workers',
    'Blue-green deploys for the web tier',
    'Helm charts for the worker fleet',
    'Move our servers from Heroku to Fly.io',
  ],
  machine_learning: [
    'Train a churn predictor on last year’s subscriptions',
    'Fine-tune an LLM to answer support tickets',
    'Recommendation engine for related products',
    'Classify incoming emails as spam or not with a neural net',
    'Forecast weekly demand per store using XGBoost',
    'Image recognition for damaged parcels',
  ],
  research: [
    'Investigate why signup conversion dropped in March',
    'Survey existing approaches to CRDT-based collaborative editing',
    'Feasibility study: can we run inference on the edge?',
    'Spike: is WebTransport usable in production yet?',
    'Explore whether users want an offline mode (interviews + survey)',
    'What do published studies say about four-day work weeks?',
  ],
  learning: [
    'Get up to speed on Rust for the new ingestion service',
    'Learn Kubernetes well enough to run our own cluster',
    'Onboarding plan for the two new junior engineers',
    'Take the AWS Solutions Architect certification',
    'Team workshop on writing good unit tests',
    'Upskill the support staff on the new billing system',
  ],
  maintenance: [
    'Bump lodash and the other outdated npm packages',
    'Upgrade Node 18 to 20 across all services',
    'Clean up dead feature flags',
    'Remove deprecated v1 endpoints',
    'Refactor the billing module to drop the legacy tax code',
    'Decommission the old reporting cron jobs',
  ],
  bug: [
    'Fix crash when uploading files larger than 2 GB',
    'Bug: invoices show the wrong currency for EU customers',
    'Memory leak in the export worker',
    'Fix the broken pagination on the search results page',
    'Login button does nothing on Safari (intermittent)',
  ],
  generic: [
    'Plan the team offsite in Lisbon',
    'Write the Q3 newsletter',
    'Order new chairs for the office',
    'Prepare the board meeting slides',
    'Hire a second designer',
  ],
};

const rows = Object.entries(CASES).flatMap(([pattern, titles]) =>
  titles.map((t) => ({ pattern, subject: typeof t === 'string' ? { title: t } : t })),
);

describe('kind-of-work detection', () => {
  it.each(rows)('$subject.title → $pattern', ({ pattern, subject }) => {
    const found = detectPattern(subject, registry);
    expect(found.pattern, `matched ${found.matched.join(', ')}; candidates ${JSON.stringify(found.candidates)}`).toBe(pattern);
  });

  it('every pattern has at least five realistic titles', () => {
    for (const p of registry.all()) expect(CASES[p.name]?.length ?? 0, p.name).toBeGreaterThanOrEqual(5);
  });

  it('uses the type, the description and the capabilities when the title says little', () => {
    expect(detectPattern({ title: 'Q3 deep dive', type: 'research' }, registry).pattern).toBe('research');
    expect(
      detectPattern(
        { title: 'Orders v2', description: 'Endpoints for listing and creating orders, documented in OpenAPI.' },
        registry,
      ).pattern,
    ).toBe('api');
    expect(detectPattern({ title: 'Checkout v2', capabilities: ['react', 'css'] }, registry).pattern).toBe('frontend');
  });

  it('reports what matched', () => {
    const found = detectPattern({ title: 'Expose order history over REST' }, registry);
    expect(found.matched).toContain('title: "rest"');
    expect(found.score).toBeGreaterThan(0);
  });
});
