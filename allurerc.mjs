// Allure 3 report configuration: `npx allure generate allure-results` (npm start does it for you).
// One self-contained HTML file that opens offline: allure-report/index.html.
import { defineConfig } from 'allure'

export default defineConfig({
  name: 'Run Kubernetes Clusters for Less with Amazon EC2 Spot and Karpenter — spotcheck',
  output: './allure-report',
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
