// The demo catalog, generated from a fixed seed so every environment (dev, tests, benchmarks) sees the
// same products, ids and stock levels, and a bug report can name a SKU that exists everywhere.

/** A shop that sells through the marketplace. */
export interface SeedVendor {
  id: string;
  slug: string;
  name: string;
}

/** A curated, cross-category list such as "Best Sellers". */
export interface SeedCollection {
  id: string;
  slug: string;
  name: string;
  description: string;
}

/** One product with its starting stock. */
export interface SeedProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  currency: 'USD';
  category: string;
  vendorId: string;
  collectionSlugs: string[];
  createdAt: Date;
  inventory: { onHand: number; restockThreshold: number; restockQuantity: number };
}

/** Everything the seed inserts. */
export interface CatalogSeed {
  vendors: SeedVendor[];
  collections: SeedCollection[];
  products: SeedProduct[];
}

/** mulberry32: tiny, fast and good enough for demo data; the same seed always yields the same stream. */
class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  uuid(): string {
    const bytes = Array.from({ length: 16 }, () => this.int(0, 255));
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

/** A family of products: every variant (and size) becomes one product name. */
interface ProductLine {
  /** `{v}` marks where the variant goes; otherwise the variant is prefixed. */
  noun: string;
  variants: readonly string[];
  sizes?: readonly string[];
  /** Whole-dollar price range; the seed adds realistic cents. */
  dollars: readonly [number, number];
  about: string;
  /** Always include every variant: near-identical names demonstrate ambiguous search. */
  showcase?: boolean;
}

interface CategorySpec {
  slug: string;
  skuPrefix: string;
  count: number;
  vendorSlugs: readonly VendorSlug[];
  /** A second sentence for descriptions: true of every product in the category. */
  facts: readonly string[];
  lines: readonly ProductLine[];
}

const VENDORS = [
  { slug: 'northwind-outfitters', name: 'Northwind Outfitters' },
  { slug: 'copper-and-kettle', name: 'Copper & Kettle Co.' },
  { slug: 'brightwire-electronics', name: 'Brightwire Electronics' },
  { slug: 'fern-and-fable', name: 'Fern & Fable' },
  { slug: 'marigold-apothecary', name: 'Marigold Apothecary' },
  { slug: 'summit-supply-co', name: 'Summit Supply Co.' },
  { slug: 'harbor-lane-goods', name: 'Harbor Lane Goods' },
  { slug: 'little-acorn', name: 'Little Acorn Toys & Books' },
  { slug: 'pantry-and-provisions', name: 'Pantry & Provisions' },
] as const;
type VendorSlug = (typeof VENDORS)[number]['slug'];

const COLLECTIONS = [
  { slug: 'new-arrivals', name: 'New Arrivals', description: 'Added to the catalog in the last 30 days.' },
  { slug: 'best-sellers', name: 'Best Sellers', description: 'Our most-ordered products this season.' },
  { slug: 'gift-ideas', name: 'Gift Ideas', description: 'Presents that arrive ready to give, for every budget.' },
  { slug: 'eco-friendly', name: 'Eco-Friendly', description: 'Made from organic, recycled or natural materials.' },
  { slug: 'summer-essentials', name: 'Summer Essentials', description: 'Everything for long days outdoors.' },
  { slug: 'clearance', name: 'Clearance', description: 'Discontinued lines at their final price: last chance to buy.' },
] as const;

const CATEGORIES: readonly CategorySpec[] = [
  {
    slug: 'apparel',
    skuPrefix: 'APP',
    count: 28,
    vendorSlugs: ['northwind-outfitters', 'harbor-lane-goods', 'little-acorn'],
    facts: ['Machine washable at 30°C.', 'Free returns within 30 days.', 'Ethically made in Portugal.'],
    lines: [
      {
        noun: 'Crew-Neck Sweater',
        variants: ['Merino', 'Cashmere', 'Lambswool', 'Cotton Cable-Knit'],
        dollars: [59, 189],
        about: 'A midweight knit with ribbed cuffs and hem, cut to layer over a collared shirt.',
      },
      {
        noun: 'Oxford Shirt',
        variants: ['Slim-Fit', 'Relaxed-Fit', 'Striped', 'Pinpoint'],
        dollars: [39, 79],
        about: 'Woven from long-staple cotton with a button-down collar and a box pleat at the back.',
      },
      {
        noun: 'Chinos',
        variants: ['Stretch Cotton', 'Organic Cotton', 'Washed Twill'],
        dollars: [49, 98],
        about: 'Mid-rise with a tapered leg and a 32in inseam that a tailor can take up.',
      },
      {
        noun: 'Hoodie',
        variants: ['Heavyweight Fleece', 'Recycled Cotton', 'French Terry'],
        dollars: [45, 95],
        about: 'A 400gsm pullover with a lined hood, a kangaroo pocket and flatlock seams.',
      },
      {
        noun: 'Rain Jacket',
        variants: ['Packable', 'Waterproof Nylon', 'Ripstop'],
        dollars: [89, 229],
        about: 'Rated to 10,000mm with fully taped seams and a hood that stows in the collar.',
      },
      {
        noun: 'Beanie',
        variants: ['Ribbed Merino', 'Chunky Wool', 'Recycled Fleece'],
        dollars: [19, 42],
        about: 'Knit in one piece with a fold-over cuff, so there is no seam at the crown.',
      },
      {
        noun: 'Socks 3-Pack',
        variants: ['Merino Hiking', 'Bamboo Ankle', 'Cotton Crew'],
        dollars: [18, 36],
        about: 'Cushioned soles with a reinforced heel and toe; three pairs to a pack.',
      },
      {
        noun: 'Canvas Tote Bag',
        variants: ['Natural', 'Navy', 'Olive'],
        dollars: [24, 32],
        about: 'Heavy 16oz cotton canvas with 11in handles and a zip pocket inside.',
        showcase: true,
      },
      {
        noun: 'Linen Shirt',
        variants: ['Short-Sleeve', 'Long-Sleeve', 'Camp-Collar'],
        dollars: [55, 89],
        about: 'Garment-dyed European flax linen that softens with every wash.',
      },
      {
        noun: 'T-Shirt',
        variants: ['Organic Cotton', 'Pima Cotton', 'Slub Jersey'],
        dollars: [19, 39],
        about: 'A 180gsm tee with a taped neckline that keeps its shape after washing.',
      },
    ],
  },
  {
    slug: 'electronics',
    skuPrefix: 'ELE',
    count: 30,
    vendorSlugs: ['brightwire-electronics', 'summit-supply-co'],
    facts: ['Includes a 2-year limited warranty.', 'FCC and CE certified.', 'Ships with a quick-start guide.'],
    lines: [
      {
        noun: 'Wireless Earbuds',
        variants: ['Noise-Cancelling', 'Sport', 'Compact'],
        dollars: [49, 249],
        about: 'Up to 8 hours of playback per charge and 30 more from the pocketable USB-C case.',
        showcase: true,
      },
      {
        noun: 'Bluetooth Speaker',
        variants: ['Portable', 'Waterproof', 'Mini'],
        dollars: [39, 179],
        about: 'IP67-rated, with 12 hours of battery and a built-in speakerphone.',
      },
      {
        noun: 'Mechanical Keyboard',
        variants: ['Tenkeyless', 'Low-Profile', 'Wireless'],
        dollars: [79, 199],
        about: 'Hot-swappable switches and PBT keycaps; connects by USB-C cable or a 2.4GHz dongle.',
      },
      {
        noun: 'Mouse',
        variants: ['Ergonomic Wireless', 'Silent-Click', 'Travel'],
        dollars: [24, 89],
        about: 'A 4,000 DPI sensor and a rechargeable battery that lasts about 70 days.',
      },
      {
        noun: 'Monitor',
        variants: ['27in 4K', '24in IPS', '34in Ultrawide'],
        dollars: [199, 899],
        about: 'A factory-calibrated panel on a height-adjustable stand, with one-cable USB-C docking.',
      },
      {
        noun: 'USB-C Hub',
        variants: ['7-in-1', '4-Port', 'Travel'],
        dollars: [29, 89],
        about: 'Adds HDMI at 4K60, an SD card reader and 100W pass-through charging.',
      },
      {
        noun: 'Power Bank',
        variants: ['10,000mAh', '20,000mAh', 'Slim Magnetic'],
        dollars: [29, 99],
        about: 'Supports 20W fast charging and shows the remaining charge on a small LED display.',
      },
      {
        noun: 'Laptop',
        variants: ['13in Ultralight', '14in Performance', '15in Everyday'],
        dollars: [699, 1299],
        about: 'Ships with 16GB of RAM, a 512GB SSD and a backlit keyboard.',
      },
      {
        noun: 'Smartwatch',
        variants: ['Fitness', 'GPS Running', 'Slim'],
        dollars: [99, 349],
        about: 'Tracks heart rate, sleep and workouts, with about 7 days between charges.',
      },
      {
        noun: 'Webcam',
        variants: ['1080p', '4K', 'Wide-Angle'],
        dollars: [39, 179],
        about: 'Autofocus, a privacy shutter and dual microphones that cut background noise.',
      },
      {
        noun: 'Headphones',
        variants: ['Over-Ear Noise-Cancelling', 'On-Ear Wireless', 'Studio Monitor'],
        dollars: [59, 349],
        about: 'Foldable, with memory-foam ear cushions and a 3.5mm cable for wired listening.',
      },
      {
        noun: 'Braided USB-C Cable',
        variants: ['100W', '240W'],
        sizes: ['1m', '2m'],
        dollars: [20, 29],
        about: 'Rated for 20,000 bends, with aluminium connector housings.',
      },
    ],
  },
  {
    slug: 'home',
    skuPrefix: 'HOM',
    count: 26,
    vendorSlugs: [
      'copper-and-kettle',
      'brightwire-electronics',
      'marigold-apothecary',
      'harbor-lane-goods',
      'fern-and-fable',
    ],
    facts: [
      'Backed by a one-year guarantee.',
      'Arrives in plastic-free packaging.',
      'Designed in-house and made in Portugal.',
    ],
    lines: [
      {
        noun: 'Throw Blanket',
        variants: ['Chunky Knit', 'Waffle Cotton', 'Wool Herringbone'],
        dollars: [49, 149],
        about: 'Measures 130 x 170cm, large enough to cover a three-seat sofa.',
      },
      {
        noun: 'Soy Candle',
        variants: ['Fig & Cedar', 'Sea Salt & Sage', 'Amber & Vanilla', 'Fresh Linen'],
        dollars: [22, 38],
        about: 'A 220g hand-poured candle with a cotton wick and roughly 45 hours of burn time.',
      },
      {
        noun: 'Linen Duvet Cover',
        variants: ['Natural', 'Sage', 'Charcoal'],
        sizes: ['Queen', 'King'],
        dollars: [129, 249],
        about: 'Pure French flax with coconut-shell buttons and inner corner ties that keep the duvet in place.',
      },
      {
        noun: 'Table Lamp',
        variants: ['Ceramic', 'Brass', 'Rattan'],
        dollars: [59, 189],
        about: 'Takes an E26 bulb and has an inline dimmer on its 1.8m fabric cord.',
      },
      {
        noun: 'Wall Mirror',
        variants: ['Round Oak', 'Arched Brass', 'Rectangular Black'],
        dollars: [79, 249],
        about: 'Hangs from a pre-fitted D-ring; fixings for plasterboard walls are included.',
      },
      {
        noun: 'Storage Basket',
        variants: ['Seagrass', 'Cotton Rope', 'Water Hyacinth'],
        dollars: [19, 59],
        about: 'Hand-woven with sturdy side handles and 38cm across, sized for cube shelving.',
      },
      {
        noun: 'Cushion Cover',
        variants: ['Velvet', 'Linen', 'Boucle'],
        dollars: [18, 45],
        about: 'A 45 x 45cm cover with a hidden zip; the insert is sold separately.',
      },
      {
        noun: 'Bath Towel Set',
        variants: ['Turkish Cotton', 'Waffle', 'Organic Cotton'],
        dollars: [39, 99],
        about: 'Two bath towels and two hand towels in a quick-drying 600gsm weave.',
      },
    ],
  },
  {
    slug: 'kitchen',
    skuPrefix: 'KIT',
    count: 26,
    vendorSlugs: ['copper-and-kettle', 'harbor-lane-goods', 'pantry-and-provisions'],
    facts: ['Backed by a lifetime warranty.', 'Ships in recyclable packaging.', 'Tested in our own test kitchen.'],
    lines: [
      {
        noun: 'Skillet',
        variants: ['Cast Iron', 'Carbon Steel', 'Tri-Ply Stainless'],
        sizes: ['10in', '12in'],
        dollars: [29, 149],
        about: 'Oven-safe to 260°C, with a helper handle opposite the main one for lifting when full.',
      },
      {
        noun: "Chef's Knife",
        variants: ['German Steel', 'Japanese Steel', 'Damascus'],
        sizes: ['8in'],
        dollars: [59, 219],
        about: 'Hand-sharpened to a 15° edge, with a full tang and a riveted handle.',
        showcase: true,
      },
      {
        noun: 'Dutch Oven',
        variants: ['Enamelled Cast Iron'],
        sizes: ['4.5qt', '5.5qt', '7qt'],
        dollars: [89, 299],
        about: 'A heavy lid with self-basting ridges; safe on every hob, including induction.',
      },
      {
        noun: 'Cutting Board',
        variants: ['End-Grain Walnut', 'Maple', 'Bamboo'],
        dollars: [29, 129],
        about: 'Finished with food-safe mineral oil, with a juice groove cut around the edge.',
      },
      {
        noun: 'French Press',
        variants: ['Borosilicate Glass', 'Double-Wall Stainless', 'Ceramic'],
        dollars: [24, 69],
        about: 'Brews 1 litre, about eight cups, through a four-layer stainless mesh filter.',
      },
      {
        noun: 'Mixing Bowl Set',
        variants: ['Stainless Steel', 'Nesting Glass', 'Stoneware'],
        dollars: [25, 79],
        about: 'Three nesting bowls of 1.5, 3 and 5 quarts with non-slip bases.',
      },
      {
        noun: 'Measuring Cups',
        variants: ['Stainless', 'Copper-Plated', 'Silicone'],
        dollars: [12, 39],
        about: 'Six cups from 1/8 to 1 cup, engraved in both US and metric measures.',
      },
      {
        noun: 'Food Storage Set',
        variants: ['Borosilicate Glass', 'Stainless Steel', 'BPA-Free'],
        dollars: [24, 59],
        about: 'Five containers with locking, leakproof lids that go from freezer to dishwasher.',
      },
      {
        noun: 'Electric Kettle',
        variants: ['Gooseneck', 'Brushed Steel', 'Glass'],
        dollars: [39, 129],
        about: 'Holds up to 1.2 litres, boils in about four minutes and switches itself off.',
      },
    ],
  },
  {
    slug: 'outdoors',
    skuPrefix: 'OUT',
    count: 24,
    vendorSlugs: ['northwind-outfitters', 'summit-supply-co'],
    facts: [
      'Covered by our lifetime repair programme.',
      'Field-tested in the Cascades.',
      'Ships within two business days.',
    ],
    lines: [
      {
        noun: 'Insulated Water Bottle',
        variants: ['Stainless Steel', 'Wide-Mouth'],
        sizes: ['750ml', '1L'],
        dollars: [24, 44],
        about: 'Double-wall vacuum insulation keeps drinks cold for 24 hours or hot for 12.',
        showcase: true,
      },
      {
        noun: 'Tent',
        variants: ['2-Person Backpacking', '4-Person Dome', '1-Person Ultralight'],
        dollars: [149, 499],
        about: 'Colour-coded poles pitch in under five minutes, under a rainfly rated to 3,000mm.',
      },
      {
        noun: 'Sleeping Bag',
        variants: ['Down', 'Synthetic', 'Summer-Weight'],
        dollars: [79, 329],
        about: 'Has a draft collar, a full-length two-way zip and its own compression sack.',
      },
      {
        noun: 'Hiking Daypack',
        variants: ['20L', '28L', '35L'],
        dollars: [59, 149],
        about: 'A ventilated back panel, hip-belt pockets and a sleeve for a 3L hydration bladder.',
      },
      {
        noun: 'Headlamp',
        variants: ['Rechargeable', '400-Lumen', 'Ultralight'],
        dollars: [24, 69],
        about: 'A red-light mode preserves night vision, and an IPX4 rating shrugs off rain.',
      },
      {
        noun: 'Camp Chair',
        variants: ['Folding', 'Ultralight', 'Low-Rise'],
        dollars: [39, 129],
        about: 'Supports up to 145kg and folds into a carry bag with a shoulder strap.',
      },
      {
        noun: 'Trekking Poles',
        variants: ['Carbon Fiber', 'Aluminium', 'Folding'],
        dollars: [49, 169],
        about: 'Sold as a pair, with flick-locks that adjust from 100 to 135cm.',
      },
      {
        noun: 'Camp Stove',
        variants: ['Compact Canister', 'Two-Burner', 'Wood-Burning'],
        dollars: [39, 179],
        about: 'Boils a litre of water in about three and a half minutes.',
      },
      {
        noun: 'Hammock',
        variants: ['Parachute Nylon', 'Double', 'Ultralight'],
        dollars: [29, 89],
        about: 'Comes with tree straps that do not damage bark and holds up to 180kg.',
      },
    ],
  },
  {
    slug: 'beauty',
    skuPrefix: 'BEA',
    count: 22,
    vendorSlugs: ['marigold-apothecary', 'harbor-lane-goods'],
    facts: [
      'Cruelty-free and never tested on animals.',
      'Dermatologist tested on sensitive skin.',
      'Made in small batches in Vermont.',
    ],
    lines: [
      {
        noun: 'Face Serum',
        variants: ['Vitamin C', 'Hyaluronic Acid', 'Niacinamide', 'Retinol'],
        dollars: [18, 64],
        about: 'A 30ml dropper bottle; apply two or three drops after cleansing.',
      },
      {
        noun: 'Moisturiser',
        variants: ['Daily Gel', 'Rich Night', 'SPF 30 Day'],
        dollars: [16, 48],
        about: 'Absorbs quickly and layers under makeup; comes in a 50ml pump bottle.',
      },
      {
        noun: 'Lip Balm',
        variants: ['Beeswax', 'Shea Butter', 'Tinted'],
        dollars: [5, 12],
        about: 'A 4.5g stick made with cold-pressed oils.',
      },
      {
        noun: 'Shampoo Bar',
        variants: ['Rosemary Mint', 'Oat & Honey', 'Tea Tree'],
        dollars: [10, 16],
        about: 'Lasts as long as two 250ml bottles of liquid shampoo, with no plastic at all.',
      },
      {
        noun: 'Body Lotion',
        variants: ['Unscented', 'Lavender', 'Coconut'],
        dollars: [12, 29],
        about: '400ml of lightweight lotion made with shea butter and glycerin.',
      },
      {
        noun: 'Clay Face Mask',
        variants: ['Kaolin', 'Bentonite', 'Charcoal'],
        dollars: [14, 36],
        about: 'Clears pores in ten minutes; one 100g jar lasts about 20 uses.',
      },
      {
        noun: 'Hair Brush',
        variants: ['Bamboo Paddle', 'Boar Bristle', 'Detangling'],
        dollars: [12, 45],
        about: 'Glides through wet or dry hair without snagging, on a cushioned base.',
      },
      {
        noun: 'Sunscreen',
        variants: ['Mineral SPF 50', 'Sheer SPF 30', 'Sport SPF 50'],
        dollars: [14, 32],
        about: 'Broad-spectrum and water resistant for 80 minutes; a 100ml tube.',
      },
    ],
  },
  {
    slug: 'books',
    skuPrefix: 'BOO',
    count: 22,
    vendorSlugs: ['fern-and-fable', 'little-acorn', 'pantry-and-provisions'],
    facts: [
      'Printed on FSC-certified paper.',
      'Ships in a protective cardboard mailer.',
      'Signed copies while stock lasts.',
    ],
    lines: [
      {
        noun: 'The {v} Cookbook',
        variants: ['Weeknight Vegetarian', 'One-Pan', 'Sourdough', 'Fermentation'],
        dollars: [24, 39],
        about: 'Over 100 tested recipes with step-by-step photographs and a chapter on pantry staples.',
      },
      {
        noun: 'A Field Guide to {v}',
        variants: ['Backyard Birds', 'Mushrooms', 'Wildflowers', 'The Night Sky'],
        dollars: [14, 29],
        about: 'Pocket-sized with a water-resistant cover and colour plates on every spread.',
      },
      {
        noun: '{v} for Beginners',
        variants: ['Watercolour', 'Knitting', 'Woodworking', 'Chess'],
        dollars: [16, 32],
        about: 'Twelve short lessons that build one skill at a time, each with illustrated examples.',
      },
      {
        noun: 'The {v} Handbook',
        variants: ['Home Repair', 'Houseplant', 'Budget Travel', 'Small Garden'],
        dollars: [18, 35],
        about: 'A practical reference with checklists, diagrams and a glossary at the back.',
      },
      {
        noun: '{v}: A Novel',
        variants: [
          'The Lighthouse Keeper',
          'Salt and Ember',
          'A Winter in Lisbon',
          "The Cartographer's Daughter",
          'Northern Lights',
        ],
        dollars: [12, 28],
        about: 'A 384-page paperback with book-club discussion questions at the back.',
      },
      {
        noun: '{v}',
        variants: ['The Sleepy Fox', 'Counting Sheep at Sea', 'Otter Learns to Swim'],
        dollars: [9, 18],
        about: 'A 32-page hardcover picture book for ages 3 to 6.',
      },
    ],
  },
  {
    slug: 'toys',
    skuPrefix: 'TOY',
    count: 22,
    vendorSlugs: ['little-acorn', 'fern-and-fable', 'brightwire-electronics'],
    facts: [
      'Meets EN71 and ASTM F963 toy-safety standards.',
      'Arrives in a recyclable gift box.',
      'Replacement parts available on request.',
    ],
    lines: [
      {
        noun: 'Building Blocks Set',
        variants: ['Wooden', 'Magnetic', 'Rainbow'],
        dollars: [24, 79],
        about: '100 pieces in a canvas storage bag, for ages 3 and up.',
      },
      {
        noun: 'Jigsaw Puzzle',
        variants: ['500-Piece', '1000-Piece', 'Panoramic'],
        dollars: [14, 34],
        about: 'Thick, snug-fitting pieces and a poster of the finished picture for reference.',
      },
      {
        noun: '{v} Plush Toy',
        variants: ['Floppy Bunny', 'Sleepy Bear', 'Dinosaur', 'Blue Whale'],
        dollars: [16, 34],
        about: 'Made from organic cotton with embroidered eyes, so it is safe from birth.',
      },
      {
        noun: 'Remote Control Car',
        variants: ['Off-Road', 'Stunt', 'Rock Crawler'],
        dollars: [39, 119],
        about: 'Reaches 25km/h on a rechargeable battery good for about 20 minutes of driving.',
      },
      {
        noun: '{v} Board Game',
        variants: ['Harbour Traders', 'Forest Quest', 'Castle Siege'],
        dollars: [24, 59],
        about: 'For 2 to 5 players aged 8 and up; a game takes about 45 minutes.',
      },
      {
        noun: 'Play Kitchen',
        variants: ['Wooden', 'Compact Wooden'],
        dollars: [89, 189],
        about: 'Includes a working clock, clicking hob knobs and a sink that lifts out for washing.',
      },
      {
        noun: 'Train Set',
        variants: ['Wooden Figure-Eight', 'Battery-Powered', 'Starter'],
        dollars: [29, 129],
        about: '40 pieces of track that join with the standard peg connector.',
      },
      {
        noun: 'Art Kit',
        variants: ['Watercolour', 'Crayon', 'Modelling Clay'],
        dollars: [14, 39],
        about: 'Everything needed for a first project, in washable, non-toxic colours.',
      },
    ],
  },
  {
    slug: 'sports',
    skuPrefix: 'SPO',
    count: 24,
    vendorSlugs: ['northwind-outfitters', 'summit-supply-co'],
    facts: [
      'Backed by a two-year warranty.',
      'Ships within two business days.',
      'Tested by club coaches before release.',
    ],
    lines: [
      {
        noun: 'Yoga Mat',
        variants: ['Natural Rubber', 'Cork', 'TPE'],
        sizes: ['4mm', '6mm'],
        dollars: [29, 119],
        about: 'Non-slip on both sides, 183 x 61cm, with a cotton carry strap.',
      },
      {
        noun: 'Dumbbells',
        variants: ['Adjustable', 'Neoprene', 'Hex Rubber'],
        dollars: [29, 399],
        about: 'Sold as a pair, with knurled chrome handles for a secure grip.',
      },
      {
        noun: 'Resistance Band Set',
        variants: ['Latex', 'Fabric', 'Tube'],
        dollars: [15, 45],
        about: 'Five bands from 5 to 40lb, colour-coded by resistance, with a door anchor.',
      },
      {
        noun: 'Running Shoes',
        variants: ['Road', 'Trail', 'Lightweight Racing'],
        dollars: [89, 179],
        about: 'An 8mm heel-to-toe drop, a breathable knit upper and a recycled-foam midsole.',
      },
      {
        noun: 'Jump Rope',
        variants: ['Speed', 'Weighted', 'Beaded'],
        dollars: [12, 35],
        about: 'Adjustable length, with ball-bearing handles for smooth rotation.',
      },
      {
        noun: 'Foam Roller',
        variants: ['High-Density', 'Textured', 'Vibrating'],
        dollars: [19, 99],
        about: '33cm long and firm enough for deep-tissue work on calves and quads.',
      },
      {
        noun: 'Tennis Racket',
        variants: ['Graphite', 'Junior', 'Oversize'],
        dollars: [39, 199],
        about: 'Strung at 55lb tension, with a 100 sq in head and a cushioned grip.',
      },
      {
        noun: 'Soccer Ball',
        variants: ['Match', 'Training', 'Futsal'],
        dollars: [19, 59],
        about: 'Thermally bonded panels hold their shape and soak up less water than stitched ones.',
      },
    ],
  },
  {
    slug: 'grocery',
    skuPrefix: 'GRO',
    count: 26,
    vendorSlugs: ['pantry-and-provisions', 'copper-and-kettle', 'marigold-apothecary'],
    facts: [
      'Best-before date at least six months from dispatch.',
      'Made in a facility that also handles tree nuts.',
      'Ships in recyclable packaging.',
    ],
    lines: [
      {
        noun: 'Coffee Beans',
        variants: ['Ethiopian Single-Origin', 'Colombian', 'Espresso Blend', 'Swiss Water Decaf'],
        sizes: ['340g', '1kg'],
        dollars: [13, 42],
        about: 'Roasted to order in small batches and shipped within 48 hours of roasting.',
      },
      {
        noun: 'Olive Oil 500ml',
        variants: ['Extra Virgin', 'Early Harvest', 'Lemon-Infused'],
        dollars: [14, 34],
        about: 'Cold-pressed on a single estate in Andalusia, with the harvest date on every bottle.',
      },
      {
        noun: 'Loose-Leaf Tea',
        variants: ['Earl Grey', 'Sencha Green', 'Chamomile', 'Masala Chai'],
        dollars: [8, 19],
        about: '100g in a resealable tin, enough for about 50 cups.',
      },
      {
        noun: 'Dark Chocolate Bar',
        variants: ['70% Sea Salt', '85% Single-Origin', 'Toasted Almond'],
        dollars: [3, 8],
        about: 'Bean-to-bar chocolate made with only cacao, cane sugar and cocoa butter.',
      },
      {
        noun: 'Honey 340g',
        variants: ['Raw Wildflower', 'Manuka', 'Creamed'],
        dollars: [9, 39],
        about: 'Unfiltered and never heated above hive temperature.',
      },
      {
        noun: 'Granola',
        variants: ['Maple Pecan', 'Coconut Almond', 'Dark Chocolate'],
        dollars: [7, 12],
        about: 'Baked in small batches with whole rolled oats; a 450g bag.',
      },
      {
        noun: '{v}',
        variants: ['Bronze-Cut Rigatoni', 'Whole-Wheat Spaghetti', 'Egg Tagliatelle'],
        sizes: ['500g'],
        dollars: [4, 9],
        about: 'Durum wheat pasta, dried slowly for a rough surface that holds on to sauce.',
      },
      {
        noun: 'Hot Sauce',
        variants: ['Habanero Mango', 'Chipotle', 'Green Jalapeño'],
        dollars: [7, 14],
        about: 'A 150ml bottle of fermented chilli sauce; medium-hot.',
      },
    ],
  },
];

const SEED = 20261101;
/** createdAt is spread over the year before this instant, not before "now", so reruns match. */
const EPOCH = Date.UTC(2026, 10, 1);
const DAY_MS = 86_400_000;
const OUT_OF_STOCK_SHARE = 0.1;
const LOW_STOCK_SHARE = 0.15;
/** Half the prices end in .99, the rest in the other endings shops use. */
const CENT_ENDINGS = [99, 99, 99, 99, 99, 95, 95, 49, 50, 0] as const;

const ECO = /organic|recycled|bamboo|beeswax|linen|cork|natural rubber|seagrass|hyacinth|merino|wool/i;
const SUMMER = /linen|short-sleeve|t-shirt|sunscreen|water bottle|hammock|tote|camp|tent|hot sauce|speaker/i;

function productName(line: ProductLine, variant: string, size: string | undefined): string {
  const base = line.noun.includes('{v}') ? line.noun.replace('{v}', variant) : `${variant} ${line.noun}`;
  return size ? `${base} ${size}` : base;
}

function priceCents(rng: Rng, [min, max]: readonly [number, number]): number {
  const dollars = rng.int(min, max);
  // Prices from $100 up end in 9 ($129, $1,299), as shop prices do; every range maximum ends in 9 too.
  const shaped = dollars >= 100 ? Math.floor(dollars / 10) * 10 + 9 : dollars;
  return shaped * 100 + rng.pick(CENT_ENDINGS);
}

type StockLevel = 'out' | 'low' | 'healthy';

function inventory(rng: Rng, level: StockLevel): SeedProduct['inventory'] {
  const restockThreshold = rng.int(3, 25);
  const restockQuantity = rng.int(2, 15) * 10;
  const onHand =
    level === 'out'
      ? 0
      : level === 'low'
        ? rng.int(1, restockThreshold)
        : // Squaring skews towards modest stock, as most lines carry, with a few deep ones.
          Math.max(restockThreshold + 1, 20 + Math.floor(rng.next() ** 2 * 481));
  return { onHand, restockThreshold, restockQuantity };
}

function collectionsFor(rng: Rng, name: string, category: string, createdAt: Date): string[] {
  const isNew = EPOCH - createdAt.getTime() < 30 * DAY_MS;
  const candidates = [
    isNew && 'new-arrivals',
    !isNew && rng.chance(0.08) && 'clearance',
    rng.chance(0.1) && 'best-sellers',
    ECO.test(name) && rng.chance(0.8) && 'eco-friendly',
    (SUMMER.test(name) || ((category === 'outdoors' || category === 'sports') && rng.chance(0.3))) &&
      'summer-essentials',
    rng.chance(['toys', 'books', 'beauty', 'home'].includes(category) ? 0.2 : 0.08) && 'gift-ideas',
  ].filter((slug): slug is string => typeof slug === 'string');
  return candidates.slice(0, 2);
}

/** Builds the demo catalog; every call returns the same data, ids included. */
export function buildCatalogSeed(): CatalogSeed {
  const rng = new Rng(SEED);
  // Ids come from their own stream so they depend only on creation order, not on how much
  // randomness the content before them consumed.
  const ids = new Rng(SEED ^ 0x5eed);

  const vendors: SeedVendor[] = VENDORS.map((v) => ({ id: ids.uuid(), ...v }));
  const vendorIds = new Map(vendors.map((v) => [v.slug, v.id]));
  const collections: SeedCollection[] = COLLECTIONS.map((c) => ({ id: ids.uuid(), ...c }));

  const drafts = CATEGORIES.flatMap((category) => {
    const options = category.lines.flatMap((line) =>
      line.variants.flatMap((variant) =>
        (line.sizes ?? [undefined]).map((size) => ({ line, name: productName(line, variant, size) })),
      ),
    );
    const chosen = [
      ...options.filter((o) => o.line.showcase),
      ...rng.shuffle(options.filter((o) => !o.line.showcase)),
    ].slice(0, category.count);
    let skuNumber = rng.int(100, 400);
    return rng.shuffle(chosen).map(({ line, name }) => {
      skuNumber += rng.int(1, 9);
      return { category, line, name, sku: `${category.skuPrefix}-${String(skuNumber).padStart(6, '0')}` };
    });
  });

  // Stock levels are dealt from a shuffled deck so the shares are exact, not merely likely.
  const outCount = Math.round(drafts.length * OUT_OF_STOCK_SHARE);
  const lowCount = Math.round(drafts.length * LOW_STOCK_SHARE);
  const levels = rng.shuffle(
    drafts.map((_, i): StockLevel => (i < outCount ? 'out' : i < outCount + lowCount ? 'low' : 'healthy')),
  );

  const products = drafts.map(({ category, line, name, sku }, i): SeedProduct => {
    const createdAt = new Date(EPOCH - rng.int(1, 365 * 86_400) * 1000);
    return {
      id: ids.uuid(),
      sku,
      name,
      description: `${line.about} ${rng.pick(category.facts)}`,
      priceCents: priceCents(rng, line.dollars),
      currency: 'USD',
      category: category.slug,
      vendorId: vendorIds.get(rng.pick(category.vendorSlugs)) ?? '',
      collectionSlugs: collectionsFor(rng, name, category.slug, createdAt),
      createdAt,
      inventory: inventory(rng, levels[i] ?? 'healthy'),
    };
  });

  return { vendors, collections, products };
}
