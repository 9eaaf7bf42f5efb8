"""The demo shop "Kettle & Co": a small web shop with planted defects and a healthy twin."""
from demo.shop.defects import DEFECTS, validate_defects
from demo.shop.server import ShopServer, start_shop
from demo.shop.world import ShopWorld

__all__ = ["DEFECTS", "ShopServer", "ShopWorld", "start_shop", "validate_defects"]
