import { Type } from 'typebox';

// Bounded to the safe integers: larger digit strings are not ids (422); any id in range that names no product is 404.
export const ProductParams = Type.Object({
  product_id: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, examples: [1099] }),
});
export const PopularQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) });

export const ProductAnswer = Type.Object(
  {
    id: Type.Integer(),
    model: Type.String(),
    quantity: Type.Integer(),
    image_url: Type.String(),
    price: Type.Number(),
    name: Type.String(),
    description: Type.String({ description: 'May hold HTML, returned as stored' }),
  },
  {
    examples: [
      {
        id: 1099,
        model: 'CQRJSTEL-A',
        quantity: 999,
        image_url: 'catalog/CQRobot/JST EL/JST EL 2P-1.jpg',
        price: 6.16,
        name: 'JST EL - 2 Pin Connector Kit',
        description: 'Detailed description here...',
      },
    ],
  },
);

export const PopularAnswer = Type.Array(Type.Object({ id: Type.Integer(), img_url: Type.String(), name: Type.String(), model: Type.String() }), {
  examples: [[{ id: 1120, img_url: 'catalog/CQRobot/MCP23017/MCP23017-1.JPG', name: 'Ocean: MCP23017 IO Expansion Board', model: 'CQRMCP23017A' }]],
});
