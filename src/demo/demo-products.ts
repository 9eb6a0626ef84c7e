import type { ProductInput } from '../core/ports/product-store.ts';

interface Kit {
  series: string;
  pitch: string;
  model: string;
  folder: string;
}

const KITS: Kit[] = [
  { series: 'JST PH', pitch: '2.0 mm', model: 'CQRJSTPH', folder: '2.0JST PH' },
  { series: 'JST XH', pitch: '2.54 mm', model: 'CQRJSTXH', folder: '2.54JST XH' },
  { series: 'JST EL', pitch: '2.5 mm', model: 'CQRJSTEL', folder: 'JST EL' },
  { series: 'JST SH', pitch: '1.0 mm', model: 'CQRJSTSH', folder: '1.0JST SH' },
  { series: 'JST GH', pitch: '1.25 mm', model: 'CQRJSTGH', folder: '1.25JST GH' },
  { series: 'Molex PicoBlade', pitch: '1.25 mm', model: 'CQRMOLEX', folder: 'Molex PicoBlade' },
];

const BOARDS: Array<{ name: string; model: string; folder: string; chip: string; feature: string }> = [
  { name: 'Ocean: MCP23017 IO Expansion Board', model: 'CQRMCP23017A', folder: 'MCP23017', chip: 'MCP23017', feature: '16 extra GPIO pins over I2C' },
  {
    name: 'Ocean: PCA9685 16-Channel PWM Servo Board',
    model: 'CQRPCA9685A',
    folder: 'PCA9685',
    chip: 'PCA9685',
    feature: '16 PWM channels, 12-bit resolution',
  },
  { name: 'Ocean: ADS1115 16-Bit ADC Module', model: 'CQRADS1115A', folder: 'ADS1115', chip: 'ADS1115', feature: '4 analog inputs at 16-bit resolution' },
  { name: 'Ocean: CH340 USB to UART Board', model: 'CQRCH340A', folder: 'CH340', chip: 'CH340', feature: 'USB serial at up to 2 Mbit/s' },
  { name: 'Ocean: TCA9548A I2C Multiplexer', model: 'CQRTCA9548A', folder: 'TCA9548A', chip: 'TCA9548A', feature: '8 I2C buses behind one address' },
  { name: 'Ocean: DS3231 Real Time Clock Module', model: 'CQRDS3231A', folder: 'DS3231', chip: 'DS3231', feature: 'temperature-compensated clock, ±2 ppm' },
  { name: 'Ocean: INA219 Current Sensor', model: 'CQRINA219A', folder: 'INA219', chip: 'INA219', feature: 'high-side current and voltage over I2C' },
  { name: 'Ocean: 扩展板 GPIO Breakout for Raspberry Pi', model: 'CQRRPIGPIOA', folder: '扩展板', chip: 'GPIO', feature: 'labelled 40-pin breakout' },
  { name: 'Ocean: BME280 Environment Sensor', model: 'CQRBME280A', folder: 'BME280', chip: 'BME280', feature: 'temperature, humidity and pressure' },
  { name: 'Ocean: W5500 Ethernet Module', model: 'CQRW5500A', folder: 'W5500', chip: 'W5500', feature: 'hardwired TCP/IP over SPI' },
];

function kitProducts(): ProductInput[] {
  const out: ProductInput[] = [];
  let id = 990;
  for (const kit of KITS) {
    for (const pins of [2, 3, 4, 5, 6]) {
      out.push({
        id: id++,
        model: `${kit.model}-${String.fromCharCode(64 + pins - 1)}`,
        quantity: 999 - pins * 37,
        image: `catalog/CQRobot/${kit.folder}/${kit.series} ${pins}P-1.png`,
        price: Math.round((4.5 + pins * 0.83) * 100) / 100,
        name: `${kit.series} - ${pins} Pin Connector Kit`,
        description:
          `<p>${kit.series} ${kit.pitch} pitch connector kit with ${pins}-pin housings, crimp terminals and pre-crimped 150 mm cables.</p>` +
          `<ul><li>Pitch: ${kit.pitch}</li><li>Pins: ${pins}</li><li>Rated current: 2 A</li><li>Wire: 26 AWG, "silicone" jacket &amp; tinned ends</li></ul>`,
        featuredRank: null,
        status: 'enabled',
      });
    }
  }
  return out;
}

function boardProducts(): ProductInput[] {
  return BOARDS.map((b, i) => ({
    id: 1120 + i,
    model: b.model,
    quantity: 250 + i * 40,
    image: `catalog/CQRobot/${b.folder}/${b.chip}-1.png`,
    price: Math.round((7.99 + i * 1.5) * 100) / 100,
    name: b.name,
    description: `<h3>${b.chip}</h3><p>${b.feature}. 3.3 V and 5 V logic, with mounting holes and a <strong>Gravity</strong>-compatible header.</p>`,
    featuredRank: null,
    status: 'enabled' as const,
  }));
}

/** 40 products shaped like seed 001's examples; some featured, one disabled. */
export function demoProducts(): ProductInput[] {
  const products = [...kitProducts(), ...boardProducts()];
  const feature = (model: string, rank: number) => {
    const p = products.find((x) => x.model === model);
    if (p) p.featuredRank = rank;
  };
  feature('CQRMCP23017A', 1);
  feature('CQRJSTPH-A', 2);
  feature('CQRJSTEL-A', 3);
  feature('CQRPCA9685A', 4);
  const retired = products.find((p) => p.model === 'CQRMOLEX-D');
  if (retired) retired.status = 'disabled';
  return products;
}
