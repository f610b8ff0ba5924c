// Allure 3 report configuration: `npx allure generate allure-results` (npm start does it for you).
// One self-contained HTML file that opens offline: allure-report/index.html.
import { defineConfig } from 'allure'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

// The report's history (trends, a test's earlier results): one JSON line per generated report.
// Kept beside the project (allure-history/ is git-ignored) unless SPOTCHECK_ALLURE_HISTORY names
// another file; the nightly workflow carries it from one night to the next. Resolved against this
// file's directory, not the working directory, so every way of generating the report shares it.
const projectRoot = fileURLToPath(new URL('.', import.meta.url))
export const historyPath = resolve(projectRoot, process.env.SPOTCHECK_ALLURE_HISTORY || 'allure-history/history.jsonl')

export default defineConfig({
  name: 'Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter — spotcheck',
  output: './allure-report',
  historyPath,
  // A nightly run adds one line a night: keep about three months.
  historyLimit: 90,
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: 'en',
        reportName: 'Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter',
        groupBy: ['epic', 'feature', 'story'],
      },
    },
  },
})
