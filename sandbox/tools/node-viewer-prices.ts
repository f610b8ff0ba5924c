// The sandbox eks-node-viewer's prices, by capacity type, instance type and zone. A price found is
// kept for the viewer's life; a lookup that found none or failed (moto busy on a loaded machine) is
// tried again at the next refresh, so a node is not left without a price for good (as the real
// viewer's pricing provider keeps updating until it has one).

export class NodeViewerPrices {
  private readonly found = new Map<string, number>()
  private readonly lookup: (capacity: string, type: string, zone: string) => Promise<number | undefined>

  constructor(lookup: (capacity: string, type: string, zone: string) => Promise<number | undefined>) {
    this.lookup = lookup
  }

  async price(capacity: string, type: string, zone: string): Promise<number | undefined> {
    const key = `${capacity}/${type}/${zone}`
    const known = this.found.get(key)
    if (known !== undefined) return known
    const price = await this.lookup(capacity, type, zone).catch(() => undefined)
    if (price !== undefined) this.found.set(key, price)
    return price
  }
}
