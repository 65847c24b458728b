/** Where each rule's documentation lives (generated into docs/rules/<id>.md). */
export const REPOSITORY_URL = 'https://github.com/mlops-hygiene/mlops-hygiene';

export function ruleDocsUrl(id: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${id}.md`;
}
